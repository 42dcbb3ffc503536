import { type APIRequestContext, type APIResponse, expect, request } from '@playwright/test';
import type { Schemas } from '@sep/client';

/** The portal's local demo users (see portal/src/server/README-API.md). */
export const DEMO_USERS = {
  alice: { name: 'Alice Engineer', role: 'engineer' },
  bob: { name: 'Bob Engineer', role: 'engineer' },
  carol: { name: 'Carol Approver', role: 'approver' },
  dave: { name: 'Dave Admin', role: 'admin' },
} as const;
export type DemoUserId = keyof typeof DEMO_USERS;

/** The API's views, as the typed client generates them from the OpenAPI document. */
export type EnvironmentSummary = Schemas['EnvironmentView'];
export type EnvironmentDetail = Schemas['EnvironmentDetail'];
export type ApiErrorBody = Schemas['ApiError'];
export type AuditEntry = Schemas['AuditEntry'];
export type ComplianceReport = Schemas['ComplianceReport'];
export type PipelineView = Schemas['PipelineView'];

/** A minimal valid request body for an ephemeral environment (the shared spec without owner). */
export function ephemeralRequest(suffix: string, project = 'e2e-tests'): Record<string, unknown> {
  return { environmentSuffix: suffix, kind: 'ephemeral', project, costCenter: 'CC-E2E', ttlHours: 4 };
}

/** Suffixes unique per run and test: letters first, digits, single hyphens, within the length limit. */
export function uniqueSuffix(prefix: string): string {
  const stamp = `${Date.now().toString(36).slice(-5)}${Math.floor(Math.random() * 36 ** 2)
    .toString(36)
    .padStart(2, '0')}`;
  return `${prefix}-${stamp}`;
}

/**
 * The portal's JSON API as one demo user, authenticated the documented way
 * for scripts: a bearer token from `POST /api/auth/token`.
 */
export class PortalApi {
  private constructor(
    readonly user: DemoUserId,
    private readonly context: APIRequestContext,
  ) {}

  static async as(options: { baseURL: string; user: DemoUserId }): Promise<PortalApi> {
    const anonymous = await request.newContext({ baseURL: options.baseURL });
    const response = await anonymous.post('/api/auth/token', { data: { username: options.user } });
    expect(response.status(), `token for ${options.user}`).toBe(200);
    const { token }: Schemas['TokenResponse'] = await response.json();
    await anonymous.dispose();
    const context = await request.newContext({
      baseURL: options.baseURL,
      extraHTTPHeaders: { authorization: `Bearer ${token}` },
    });
    return new PortalApi(options.user, context);
  }

  /** Every environment, following the list's pages. */
  async listEnvironments(): Promise<EnvironmentSummary[]> {
    const all: EnvironmentSummary[] = [];
    let cursor: string | undefined;
    do {
      const query = cursor === undefined ? '' : `?cursor=${encodeURIComponent(cursor)}`;
      const response = await this.context.get(`/api/environments${query}`);
      expect(response.status(), `GET /api/environments${query}`).toBe(200);
      const page: Schemas['EnvironmentList'] = await response.json();
      all.push(...page.environments);
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    return all;
  }

  async suffixes(): Promise<string[]> {
    return (await this.listEnvironments()).map((environment) => environment.environmentSuffix).sort();
  }

  getEnvironmentResponse(suffix: string): Promise<APIResponse> {
    return this.context.get(`/api/environments/${encodeURIComponent(suffix)}`);
  }

  async environment(suffix: string): Promise<EnvironmentDetail> {
    const response = await this.getEnvironmentResponse(suffix);
    expect(response.status(), `GET /api/environments/${suffix}`).toBe(200);
    const detail: EnvironmentDetail = await response.json();
    return detail;
  }

  createEnvironment(body: unknown): Promise<APIResponse> {
    return this.context.post('/api/environments', { data: body });
  }

  destroyEnvironment(suffix: string): Promise<APIResponse> {
    return this.context.delete(`/api/environments/${encodeURIComponent(suffix)}`);
  }

  async compliance(suffix: string): Promise<ComplianceReport> {
    const response = await this.context.get(`/api/environments/${encodeURIComponent(suffix)}/compliance`);
    expect(response.status(), `GET /api/environments/${suffix}/compliance`).toBe(200);
    const report: ComplianceReport = await response.json();
    return report;
  }

  async pipeline(): Promise<PipelineView> {
    const response = await this.context.get('/api/pipeline');
    expect(response.status(), 'GET /api/pipeline').toBe(200);
    const view: PipelineView = await response.json();
    return view;
  }

  decidePromotion(body: {
    executionId?: string;
    decision: 'approve' | 'reject';
    comment?: string;
    /** A flagged preview's phrase, typed. */
    confirmation?: string;
    /** Why a flagged preview is approved. */
    reason?: string;
  }): Promise<APIResponse> {
    return this.context.post('/api/pipeline/promotion', { data: body });
  }

  async openApi(): Promise<Record<string, unknown>> {
    const response = await this.context.get('/api/openapi.json');
    expect(response.status(), 'GET /api/openapi.json').toBe(200);
    const document: Record<string, unknown> = await response.json();
    return document;
  }

  /** The newest audit entries (newest first). */
  async audit(limit = 200): Promise<AuditEntry[]> {
    const response = await this.context.get(`/api/audit?limit=${limit}`);
    expect(response.status(), 'GET /api/audit').toBe(200);
    const page: Schemas['AuditPage'] = await response.json();
    return [...page.entries];
  }

  /** Polls until the environment reaches one of `statuses` (or fails the test after `timeoutMs`). */
  async waitForStatus(options: {
    suffix: string;
    statuses: readonly string[];
    timeoutMs: number;
  }): Promise<EnvironmentDetail> {
    let latest: EnvironmentDetail | undefined;
    await expect
      .poll(
        async () => {
          latest = await this.environment(options.suffix);
          return latest.status;
        },
        {
          message: `${options.suffix} reaches ${options.statuses.join(' or ')}`,
          timeout: options.timeoutMs,
          intervals: [500, 1000],
        },
      )
      .toMatch(new RegExp(`^(${options.statuses.join('|')})$`));
    if (latest === undefined) throw new Error('unreachable: poll ran at least once');
    return latest;
  }

  async dispose(): Promise<void> {
    await this.context.dispose();
  }
}
