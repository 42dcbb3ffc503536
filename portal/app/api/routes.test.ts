// Every route handler against ONE local runtime. The file stays whole (~700 lines) on purpose: the
// runtime's deployments synthesize the pipeline through the CDK CLI (tens of seconds, cached per data
// folder), jest gives each test file its own module registry and so its own runtime, and the blocks share
// what that runtime has already deployed (the seeded staging the promotion block waits for, the pages the
// list block reads). Split by concern, each file would pay the synthesis and the seed deployments again.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

// The runtime reads its configuration on first use: a fresh data folder, this repository (local mode's
// pipeline runs synthesize it through the CDK CLI, so every wait for a deployment is tens of seconds).
const dataDir = mkdtempSync(path.join(tmpdir(), 'sep-routes-'));
Object.assign(process.env, {
  PORTAL_MODE: 'local',
  PORTAL_DATA_DIR: dataDir,
  PORTAL_REPO_ROOT: path.join(__dirname, '..', '..', '..'),
  PORTAL_SPEED_FACTOR: '5000',
  PORTAL_POLL_INTERVAL_MS: '50',
  PORTAL_SEED_PERSISTENT: 'true',
});

import { OPERATION_RESPONSES, type OperationId } from '@/server/http/responses';
import { runtime } from '@/server/runtime';

jest.setTimeout(600_000);

import * as audit from './audit/route';
import * as session from './auth/session/route';
import * as signIn from './auth/sign-in/route';
import * as token from './auth/token/route';
import * as costEstimate from './cost-estimate/route';
import * as compliance from './environments/[suffix]/compliance/route';
import * as drift from './environments/[suffix]/drift/route';
import * as events from './environments/[suffix]/events/route';
import * as outputs from './environments/[suffix]/outputs/route';
import * as environment from './environments/[suffix]/route';
import * as compare from './environments/compare/route';
import * as environments from './environments/route';
import * as openapi from './openapi.json/route';
import * as promotionPreview from './pipeline/promotion/preview/route';
import * as promotion from './pipeline/promotion/route';
import * as pipeline from './pipeline/route';
import * as availability from './suffix-availability/route';

const ORIGIN = 'http://127.0.0.1:3000';
const tokens: Record<string, string> = {};

function req(
  pathname: string,
  init: { method?: string; body?: unknown; user?: string; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { ...init.headers };
  if (init.user) headers.authorization = `Bearer ${tokens[init.user]}`;
  let body: string | undefined;
  if (init.body !== undefined) {
    body = typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
    headers['content-type'] ??= 'application/json';
  }
  return new Request(`${ORIGIN}${pathname}`, {
    method: init.method ?? 'GET',
    headers,
    ...(body === undefined ? {} : { body }),
  });
}
const params = (suffix: string) => ({ params: Promise.resolve({ suffix }) });
const read = async (response: Response) => ({
  status: response.status,
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field
  body: (await response.json()) as any,
});

const request = (suffix: string, extra: Record<string, unknown> = {}) => ({
  environmentSuffix: suffix,
  kind: 'ephemeral',
  project: 'payments',
  costCenter: 'CC-1',
  ...extra,
});

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 300_000;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const last = await read(await environments.GET(req('/api/environments', { user: 'dave' })));
  throw new Error(
    `timed out waiting for ${what}: ${JSON.stringify(last.body.environments.map((e: { environmentSuffix: string; status: string; statusReason?: string }) => [e.environmentSuffix, e.status, e.statusReason]))}`,
  );
}

async function status(suffix: string): Promise<string> {
  return (
    await read(await environment.GET(req(`/api/environments/${suffix}`, { user: 'alice' }), params(suffix)))
  ).body.status;
}

beforeAll(async () => {
  for (const user of ['alice', 'bob', 'carol', 'dave']) {
    const { status: code, body } = await read(
      await token.POST(req('/api/auth/token', { method: 'POST', body: { username: user } })),
    );
    expect(code).toBe(200);
    tokens[user] = body.token;
  }
});

afterAll(async () => {
  await (await runtime()).close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('authentication', () => {
  it('401 without credentials or with a forged token', async () => {
    expect((await read(await environments.GET(req('/api/environments')))).body.error.code).toBe(
      'unauthenticated',
    );
    const forged = await environments.GET(
      req('/api/environments', { headers: { authorization: 'Bearer eyJhbGciOiJub25lIn0.e30.' } }),
    );
    expect(forged.status).toBe(401);
  });

  it('signs in with a session cookie and refuses cross-origin mutations made with it (403)', async () => {
    const signedIn = await signIn.POST(
      req('/api/auth/sign-in', {
        method: 'POST',
        body: { username: 'bob' },
        headers: { origin: ORIGIN, host: '127.0.0.1:3000' },
      }),
    );
    expect(signedIn.status).toBe(200);
    const cookie = signedIn.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^sep_session=[^;]+; Path=\/; HttpOnly; SameSite=Lax/);
    const value = cookie.split(';')[0] ?? '';
    const me = await read(await session.GET(req('/api/auth/session', { headers: { cookie: value } })));
    expect(me.body).toMatchObject({ user: { id: 'bob', roles: ['engineer'] }, mode: 'local' });

    const crossSite = await environments.POST(
      req('/api/environments', {
        method: 'POST',
        body: request('csrf-1'),
        headers: { cookie: value, origin: 'https://evil.example' },
      }),
    );
    expect(crossSite.status).toBe(403);
    expect(
      (await availability.GET(req('/api/suffix-availability?suffix=csrf-1', { user: 'bob' }))).status,
    ).toBe(200);
    expect(
      (await read(await availability.GET(req('/api/suffix-availability?suffix=csrf-1', { user: 'bob' }))))
        .body.available,
    ).toBe(true);
  });

  it('refuses an unknown demo user and a cross-origin sign-in', async () => {
    const unknown = await signIn.POST(
      req('/api/auth/sign-in', {
        method: 'POST',
        body: { username: 'mallory' },
        headers: { origin: ORIGIN },
      }),
    );
    expect(unknown.status).toBe(400);
    const cross = await signIn.POST(
      req('/api/auth/sign-in', {
        method: 'POST',
        body: { username: 'alice' },
        headers: { origin: 'https://evil.example' },
      }),
    );
    expect(cross.status).toBe(403);
  });
});

describe('POST /api/environments', () => {
  it('400 with field paths for each invalid field, and writes nothing', async () => {
    const { status: code, body } = await read(
      await environments.POST(
        req('/api/environments', {
          method: 'POST',
          user: 'alice',
          body: request('Bad--Suffix', { allowedCidrs: ['0.0.0.0/0'], features: { waf: 'yes' }, extra: 1 }),
        }),
      ),
    );
    expect(code).toBe(400);
    expect(body.error.code).toBe('validation_failed');
    const paths = body.error.fields.map((f: { path: string }) => f.path);
    expect(paths).toEqual(
      expect.arrayContaining(['environmentSuffix', 'allowedCidrs.0', 'features.waf', 'extra']),
    );
    const list = await read(await environments.GET(req('/api/environments', { user: 'alice' })));
    expect(
      list.body.environments.map((e: { environmentSuffix: string }) => e.environmentSuffix),
    ).not.toContain('Bad--Suffix');
    const trail = await read(await audit.GET(req('/api/audit?limit=200', { user: 'alice' })));
    expect(
      trail.body.entries.filter((e: { action: string }) => e.action === 'environment.requested'),
    ).toHaveLength(0);
  });

  it('400 when the body names an owner: the session decides who owns it', async () => {
    const { status: code, body } = await read(
      await environments.POST(
        req('/api/environments', {
          method: 'POST',
          user: 'alice',
          body: request('pr-own', { owner: 'bob' }),
        }),
      ),
    );
    expect(code).toBe(400);
    expect(body.error.fields).toEqual([{ path: 'owner', message: expect.stringContaining('session') }]);
  });

  it('415 for a non-JSON body, 413 for a body over the limit, 400 for broken JSON', async () => {
    const wrongType = await environments.POST(
      req('/api/environments', {
        method: 'POST',
        user: 'alice',
        body: 'suffix=x',
        headers: { 'content-type': 'text/plain' },
      }),
    );
    expect(wrongType.status).toBe(415);
    const huge = await environments.POST(
      req('/api/environments', {
        method: 'POST',
        user: 'alice',
        body: request('pr-big', { project: 'x'.repeat(70_000) }),
      }),
    );
    expect(huge.status).toBe(413);
    expect((await read(huge)).body.error.code).toBe('payload_too_large');
    const broken = await environments.POST(
      req('/api/environments', { method: 'POST', user: 'alice', body: '{"environmentSuffix":' }),
    );
    expect(broken.status).toBe(400);
  });

  it('403 for an approver, and for an engineer asking for staging', async () => {
    expect(
      (
        await environments.POST(
          req('/api/environments', { method: 'POST', user: 'carol', body: request('pr-carol') }),
        )
      ).status,
    ).toBe(403);
    const staging = await environments.POST(
      req('/api/environments', {
        method: 'POST',
        user: 'alice',
        body: request('stg-two', { kind: 'staging', alertEmails: ['a@example.com'] }),
      }),
    );
    expect(staging.status).toBe(403);
  });

  it('201 then deploys to ready with outputs; a second request for the suffix is 409', async () => {
    const created = await environments.POST(
      req('/api/environments', { method: 'POST', user: 'alice', body: request('pr-201') }),
    );
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe('/api/environments/pr-201');
    const detail = (await read(created)).body;
    expect(detail).toMatchObject({
      environmentSuffix: 'pr-201',
      owner: 'alice',
      requestedBy: 'alice',
      kind: 'ephemeral',
    });
    expect(detail.permissions.canDestroy).toBe(true);

    const again = await read(
      await environments.POST(
        req('/api/environments', { method: 'POST', user: 'bob', body: request('pr-201') }),
      ),
    );
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('suffix_taken');
    expect(
      (await read(await availability.GET(req('/api/suffix-availability?suffix=pr-201', { user: 'bob' }))))
        .body,
    ).toEqual({
      suffix: 'pr-201',
      available: false,
      reason: 'taken',
    });

    await until(async () => (await status('pr-201')) === 'ready', 'pr-201 ready');
    const ready = (
      await read(await environment.GET(req('/api/environments/pr-201', { user: 'bob' }), params('pr-201')))
    ).body;
    expect(ready.progress).toMatchObject({ phase: 'complete', percent: 100 });
    expect(ready.permissions).toMatchObject({ canDestroy: false });
    const flat = await outputs.GET(
      req('/api/environments/pr-201/outputs', { user: 'bob' }),
      params('pr-201'),
    );
    expect(flat.headers.get('content-disposition')).toContain('flat-outputs.json');
    expect(Object.keys(await flat.json())).toEqual(
      expect.arrayContaining(['ApiUrl', 'ApiKeyId', 'DataBucketName']),
    );
    const report = await read(
      await compliance.GET(req('/api/environments/pr-201/compliance', { user: 'bob' }), params('pr-201')),
    );
    expect(report.body.static.available).toBe(true);
    const driftReport = await read(
      await drift.POST(
        req('/api/environments/pr-201/drift', { method: 'POST', user: 'bob' }),
        params('pr-201'),
      ),
    );
    expect(driftReport.body).toMatchObject({ status: 'IN_SYNC', simulated: true });

    // Side by side with staging: the deployed template's resources by type, and what differs.
    const compared = await read(
      await compare.GET(req('/api/environments/compare?left=pr-201&right=staging', { user: 'bob' })),
    );
    expect(compared.status).toBe(200);
    expect(compared.body.left).toMatchObject({
      environmentSuffix: 'pr-201',
      resources: { available: true },
      compliance: { nagAvailable: true },
    });
    expect(compared.body.left.resources.templateSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(compared.body.left.resources.byType['AWS::KMS::Key']).toBeGreaterThan(0);
    expect(compared.body.left.resources.total).toBeGreaterThan(10);
    expect(compared.body.right.environmentSuffix).toBe('staging');
    expect(compared.body.differences.spec).toEqual(
      expect.arrayContaining([{ path: 'kind', left: '"ephemeral"', right: '"staging"' }]),
    );
    expect(compared.body.differences.monthlyCostUsd).toBeCloseTo(
      compared.body.right.cost.monthlyUsd - compared.body.left.cost.monthlyUsd,
      2,
    );
  });
});

describe('GET /api/environments/compare', () => {
  it('400 field by field for bad or identical suffixes, 404 for an unknown one, 401 without credentials', async () => {
    const bad = await read(
      await compare.GET(req('/api/environments/compare?left=Not_A_Suffix&extra=1', { user: 'alice' })),
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields.map((f: { path: string }) => f.path).sort()).toEqual([
      'extra',
      'left',
      'right',
    ]);
    const same = await read(
      await compare.GET(req('/api/environments/compare?left=staging&right=staging', { user: 'alice' })),
    );
    expect(same.status).toBe(400);
    expect(same.body.error.fields).toEqual([
      { path: 'right', message: 'right must name another environment than left' },
    ]);
    const unknown = await compare.GET(
      req('/api/environments/compare?left=staging&right=pr-nope', { user: 'alice' }),
    );
    expect(unknown.status).toBe(404);
    expect((await compare.GET(req('/api/environments/compare?left=staging&right=prod'))).status).toBe(401);
  });
});

describe('GET /api/environments', () => {
  it('pages by suffix with a cursor, and sums cost over every page', async () => {
    for (const suffix of ['page-a', 'page-b', 'page-c']) {
      const created = await environments.POST(
        req('/api/environments', { method: 'POST', user: 'alice', body: request(suffix) }),
      );
      expect(created.status).toBe(201);
    }
    const all = (await read(await environments.GET(req('/api/environments?limit=1000', { user: 'alice' }))))
      .body;
    const first = await read(await environments.GET(req('/api/environments?limit=2', { user: 'alice' })));
    expect(first.status).toBe(200);
    expect(first.body.environments).toHaveLength(2);
    expect(first.body.total).toBe(all.total);
    expect(first.body.summary).toEqual(all.summary);
    expect(first.body.nextCursor).toBe(first.body.environments[1].environmentSuffix);

    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const query = `limit=2${cursor === undefined ? '' : `&cursor=${cursor}`}`;
      const page = (await read(await environments.GET(req(`/api/environments?${query}`, { user: 'alice' }))))
        .body;
      seen.push(...page.environments.map((e: { environmentSuffix: string }) => e.environmentSuffix));
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    expect(seen).toEqual(all.environments.map((e: { environmentSuffix: string }) => e.environmentSuffix));
    expect(seen).toEqual([...seen].sort());
    expect(seen).toEqual(expect.arrayContaining(['page-a', 'page-b', 'page-c']));
  });

  it('400 with field paths for a bad page size, cursor or status', async () => {
    const { status: code, body } = await read(
      await environments.GET(
        req('/api/environments?limit=0&cursor=Not_A_Suffix&status=sleeping', { user: 'alice' }),
      ),
    );
    expect(code).toBe(400);
    expect(body.error.fields.map((f: { path: string }) => f.path).sort()).toEqual([
      'cursor',
      'limit',
      'status',
    ]);
  });
});

describe('DELETE /api/environments/{suffix}', () => {
  it('404 for an unknown environment', async () => {
    const missing = await environment.DELETE(
      req('/api/environments/nope', { method: 'DELETE', user: 'alice' }),
      params('nope'),
    );
    expect(missing.status).toBe(404);
    expect(
      (await environment.GET(req('/api/environments/nope', { user: 'alice' }), params('nope'))).status,
    ).toBe(404);
  });

  it('403 for another engineer, 202 for the owner, then 409 while destroying; staging/prod are 409 for everyone', async () => {
    await environments.POST(
      req('/api/environments', { method: 'POST', user: 'alice', body: request('pr-301') }),
    );
    const byBob = await read(
      await environment.DELETE(
        req('/api/environments/pr-301', { method: 'DELETE', user: 'bob' }),
        params('pr-301'),
      ),
    );
    expect(byBob.status).toBe(403);
    expect(byBob.body.error.code).toBe('forbidden');
    const byOwner = await environment.DELETE(
      req('/api/environments/pr-301', { method: 'DELETE', user: 'alice' }),
      params('pr-301'),
    );
    expect(byOwner.status).toBe(202);
    const twice = await read(
      await environment.DELETE(
        req('/api/environments/pr-301', { method: 'DELETE', user: 'dave' }),
        params('pr-301'),
      ),
    );
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('not_destroyable');
    for (const suffix of ['staging', 'prod']) {
      const refused = await read(
        await environment.DELETE(
          req(`/api/environments/${suffix}`, { method: 'DELETE', user: 'dave' }),
          params(suffix),
        ),
      );
      expect(refused.status).toBe(409);
      expect(refused.body.error.code).toBe('not_destroyable');
    }
    await until(async () => (await status('pr-301')) === 'destroyed', 'pr-301 destroyed');
    const trail = (await read(await audit.GET(req('/api/audit?limit=200', { user: 'carol' })))).body.entries;
    expect(trail).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          actor: 'alice',
          action: 'environment.destroy-requested',
          target: 'pr-301',
          outcome: 'success',
        }),
        expect.objectContaining({
          actor: 'bob',
          action: 'environment.destroy-requested',
          target: 'pr-301',
          outcome: 'denied',
        }),
        expect.objectContaining({ actor: 'system', action: 'environment.status-changed', target: 'pr-301' }),
      ]),
    );
  });

  it('once destroyed the entry is removed: the detail stays destroyed, the list drops it, the suffix is free again', async () => {
    await environments.POST(
      req('/api/environments', { method: 'POST', user: 'alice', body: request('pr-302') }),
    );
    await until(async () => (await status('pr-302')) === 'ready', 'pr-302 ready');
    const destroying = await environment.DELETE(
      req('/api/environments/pr-302', { method: 'DELETE', user: 'alice' }),
      params('pr-302'),
    );
    expect(destroying.status).toBe(202);
    await until(async () => (await status('pr-302')) === 'destroyed', 'pr-302 destroyed');

    const listed = (
      await read(await environments.GET(req('/api/environments?limit=1000', { user: 'alice' })))
    ).body.environments;
    expect(listed.map((e: { environmentSuffix: string }) => e.environmentSuffix)).not.toContain('pr-302');
    const again = await read(
      await environment.DELETE(
        req('/api/environments/pr-302', { method: 'DELETE', user: 'alice' }),
        params('pr-302'),
      ),
    );
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('not_destroyable');
    expect(
      (await read(await availability.GET(req('/api/suffix-availability?suffix=pr-302', { user: 'bob' }))))
        .body,
    ).toEqual({ suffix: 'pr-302', available: true });

    const requested = await environments.POST(
      req('/api/environments', { method: 'POST', user: 'bob', body: request('pr-302') }),
    );
    expect(requested.status).toBe(201);
    const fresh = (await read(requested)).body;
    expect(fresh.owner).toBe('bob');
    expect(['requested', 'synthesizing']).toContain(fresh.status);
    await until(async () => (await status('pr-302')) === 'ready', 'pr-302 ready again');
  });
});

describe('promotion', () => {
  it('403 for an engineer, 200 for an approver, 409 when nothing is pending; prod then deploys', async () => {
    await until(async () => (await status('staging')) === 'ready', 'staging ready');
    await until(
      async () =>
        (await read(await pipeline.GET(req('/api/pipeline', { user: 'carol' })))).body.pendingPromotion !==
        undefined,
      'pending promotion',
    );
    const view = (await read(await pipeline.GET(req('/api/pipeline', { user: 'carol' })))).body;
    expect(view.canDecide).toBe(true);
    expect((await read(await pipeline.GET(req('/api/pipeline', { user: 'alice' })))).body.canDecide).toBe(
      false,
    );

    const byEngineer = await promotion.POST(
      req('/api/pipeline/promotion', { method: 'POST', user: 'alice', body: { decision: 'approve' } }),
    );
    expect(byEngineer.status).toBe(403);
    const invalid = await read(
      await promotion.POST(
        req('/api/pipeline/promotion', { method: 'POST', user: 'carol', body: { decision: 'maybe' } }),
      ),
    );
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.fields.map((field: { path: string }) => field.path).sort()).toEqual([
      'decision',
      'executionId',
    ]);
    const executionId: string = view.pendingPromotion.executionId;
    // The preview of what waits: approvers only; prod's first deploy has nothing deployed to compare with,
    // so nothing is flagged and the approval below needs no confirmation.
    expect(
      (await promotionPreview.GET(req('/api/pipeline/promotion/preview', { user: 'alice' }))).status,
    ).toBe(403);
    const preview = await read(
      await promotionPreview.GET(req('/api/pipeline/promotion/preview', { user: 'carol' })),
    );
    expect(preview.status).toBe(200);
    expect(OPERATION_RESPONSES.getPromotionPreview.safeParse(preview.body).success).toBe(true);
    expect(preview.body).toMatchObject({
      executionId,
      flagged: false,
      confirmationPhrase: `promote ${executionId.slice(0, 8)}`,
    });
    expect(
      preview.body.stacks.map((stack: { environmentSuffix: string }) => stack.environmentSuffix),
    ).toContain('prod');
    expect(preview.body.stacks[0]).toMatchObject({
      available: false,
      unavailableReason: expect.stringMatching(/not been deployed/),
    });
    // A decision reviewed on another execution is refused, decides nothing, and is audited.
    const stale = await read(
      await promotion.POST(
        req('/api/pipeline/promotion', {
          method: 'POST',
          user: 'carol',
          body: { executionId: 'local-0000-stale', decision: 'approve' },
        }),
      ),
    );
    expect(stale.status).toBe(409);
    expect(stale.body.error.message).toContain(`execution ${executionId} does`);
    expect(
      (await read(await pipeline.GET(req('/api/pipeline', { user: 'carol' })))).body.pendingPromotion,
    ).toEqual(view.pendingPromotion);
    const approved = await promotion.POST(
      req('/api/pipeline/promotion', {
        method: 'POST',
        user: 'carol',
        body: { executionId, decision: 'approve', comment: 'release 1' },
      }),
    );
    expect(approved.status).toBe(200);
    const decisions = (
      await read(await audit.GET(req('/api/audit?limit=50', { user: 'carol' })))
    ).body.entries.filter((entry: { action: string }) => entry.action === 'promotion.approved');
    expect(
      decisions.map((entry: { outcome: string; details: Record<string, string> }) => [
        entry.outcome,
        entry.details.executionId,
      ]),
    ).toEqual([
      ['success', executionId],
      ['denied', 'local-0000-stale'],
    ]);
    const again = await read(
      await promotion.POST(
        req('/api/pipeline/promotion', {
          method: 'POST',
          user: 'carol',
          body: { executionId, decision: 'approve' },
        }),
      ),
    );
    expect(again.status).toBe(409);
    await until(async () => (await status('prod')) === 'ready', 'prod ready');
  });
});

describe('live events (SSE)', () => {
  it('streams a snapshot and the stack events, and ends once the environment settles', async () => {
    await environments.POST(
      req('/api/environments', { method: 'POST', user: 'alice', body: request('pr-401') }),
    );
    const response = await events.GET(
      req('/api/environments/pr-401/events', { user: 'alice' }),
      params('pr-401'),
    );
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const text = await response.text();
    expect(text).toContain('event: snapshot');
    expect(text).toContain('"status":"ready"');
    expect(text).toContain('"resourceStatus":"CREATE_COMPLETE"');
    expect(
      (await events.GET(req('/api/environments/nope/events', { user: 'alice' }), params('nope'))).status,
    ).toBe(404);
  });
});

describe('misc endpoints', () => {
  it('prices a partial request with the network firewall dominating', async () => {
    const base = (
      await read(
        await costEstimate.POST(req('/api/cost-estimate', { method: 'POST', user: 'alice', body: {} })),
      )
    ).body;
    const firewall = (
      await read(
        await costEstimate.POST(
          req('/api/cost-estimate', {
            method: 'POST',
            user: 'alice',
            body: { features: { networkFirewall: true } },
          }),
        ),
      )
    ).body;
    expect(firewall.monthlyUsd - base.monthlyUsd).toBeGreaterThan(800);
    expect(firewall.lines[0].item).toBe('networkFirewall');
  });

  it('400 for a bad audit query; the OpenAPI document names every endpoint', async () => {
    expect((await audit.GET(req('/api/audit?limit=0', { user: 'alice' }))).status).toBe(400);
    const doc = await (await openapi.GET(req('/api/openapi.json'))).json();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/environments',
        '/api/environments/{suffix}',
        '/api/pipeline/promotion',
        '/api/environments/{suffix}/events',
        '/api/environments/compare',
      ]),
    );
    expect(doc.components.schemas.CreateEnvironmentRequest.properties).not.toHaveProperty('owner');
  });

  it('answers with the bodies the OpenAPI document publishes (the response schemas parse real answers)', async () => {
    const answers: [OperationId, Response][] = [
      ['getSession', await session.GET(req('/api/auth/session', { user: 'alice' }))],
      ['listEnvironments', await environments.GET(req('/api/environments', { user: 'dave' }))],
      [
        'getEnvironment',
        await environment.GET(req('/api/environments/staging', { user: 'dave' }), params('staging')),
      ],
      [
        'getEnvironmentCompliance',
        await compliance.GET(
          req('/api/environments/staging/compliance', { user: 'dave' }),
          params('staging'),
        ),
      ],
      ['getPipeline', await pipeline.GET(req('/api/pipeline', { user: 'carol' }))],
      ['listAuditEntries', await audit.GET(req('/api/audit', { user: 'dave' }))],
      [
        'compareEnvironments',
        await compare.GET(req('/api/environments/compare?left=staging&right=prod', { user: 'dave' })),
      ],
      [
        'checkSuffixAvailability',
        await availability.GET(req('/api/suffix-availability?suffix=pr-9', { user: 'bob' })),
      ],
    ];
    for (const [operation, response] of answers) {
      expect(`${operation} ${response.status}`).toBe(`${operation} 200`);
      const parsed = OPERATION_RESPONSES[operation].safeParse(await response.json());
      expect({ operation, issues: parsed.error?.issues ?? [] }).toEqual({ operation, issues: [] });
    }
  });
});
