import {
  type EnvironmentRecord,
  type EnvironmentRegistry,
  InvalidEnvironmentSpecError,
  SuffixTakenError,
} from '@sep/registry';
import { environmentStackName } from '@sep/registry/names';
import { type DeploymentTarget, deploymentTargetErrors } from '@sep/registry/targets';
import { toFieldErrors } from '@sep/spec';
import type { AuditStore } from '../audit/audit-store';
import { EnvironmentFeed } from '../live/environment-feed';
import type { LiveHub } from '../live/hub';
import {
  type DeploymentSnapshot,
  type EnvironmentProvenance,
  NotDeployedError,
  type PlatformPort,
  UpstreamError,
} from '../platform/port';
import type { PipelineConsole } from './console-links';
import { costEstimate, destroyTarget, EnvironmentViews } from './environment-views';
import { conflict, DomainError, forbidden, notDestroyable, notFound, validationFailed } from './errors';
import { Limits, type LimitsOptions } from './limits';
import {
  destroyBlocker,
  environmentPermissions,
  mayDestroy,
  mayRequest,
  mayRetry,
  retryBlocker,
} from './permissions';
import type { PromotionPreview } from './promotion-preview-schemas';
import { Promotions } from './promotions';
import { type Observation, Reconciler } from './reconciler';
import {
  DEFAULT_LIST_LIMIT,
  environmentSuffixSchema,
  type ListQuery,
  parseCreateEnvironmentRequest,
} from './requests';
import { ResponseCache, type ResponseCacheOptions } from './response-cache';
import type {
  AuditAction,
  AuditPage,
  ComplianceReport,
  CostEstimate,
  DriftReport,
  EnvironmentDetail,
  EnvironmentList,
  PipelineView,
  StreamMessage,
  SuffixAvailability,
  User,
} from './types';

export type { Observation } from './reconciler';

/** A page of the list: `ListQuery` with every field optional (the schema's defaults apply). */
export type ListOptions = Partial<ListQuery>;

export interface EnvironmentServiceOptions extends ResponseCacheOptions {
  readonly registry: EnvironmentRegistry;
  readonly platform: PlatformPort;
  readonly audit: AuditStore;
  /** Upstream poll period per watched environment. */
  readonly pollIntervalMs: number;
  /**
   * The bootstrapped deployment targets and the account of a request that names none: a request for
   * any other account or region is refused with a field error. @default any account and region (local mode)
   */
  readonly deployment?: {
    readonly targets: readonly DeploymentTarget[];
    readonly defaultAccount: string;
  };
  /**
   * How many times a rolled-back (ROLLBACK_COMPLETE) ephemeral stack is deleted and created afresh
   * before the environment is left `failed` for its owner. @default 1
   */
  readonly maxRecreations?: number;
  /** @default () => new Date() */
  readonly clock?: () => Date;
  /** aws mode: where the pipeline lives, for links into the AWS console. */
  readonly console?: PipelineConsole;
  /** How often `start` rescans the registry for entries in flight. @default 10_000 */
  readonly rescanIntervalMs?: number;
  /** Told when a background rescan of the registry failed (the next one tries again). */
  readonly onError?: (error: unknown) => void;
  /** Told of every environment failure with its full reason (the server log; users see a summary). */
  readonly onFailure?: (failure: { readonly environmentSuffix: string; readonly reason: string }) => void;
  /** What one user, and the portal, may hold or do (429 beyond). @default DEFAULT_LIMITS */
  readonly limits?: LimitsOptions;
}

const DEFAULT_RESCAN_INTERVAL_MS = 10_000;

/**
 * (Over ~400 lines on purpose: the use cases of an environment's lifecycle — request, destroy, retry —
 * with their reads, kept together so that each rule and its audit entry is read in one place; the
 * reconciler, views, caches, promotions and limits are their own modules.)
 *
 * The portal's use cases. Route handlers parse and authenticate, then call exactly one method here;
 * every rule (ownership, destroyability, lifecycle) lives here or in the pure modules it uses. Registry
 * writes and lifecycle audit entries are the `Reconciler`'s; what a user sees comes from
 * `EnvironmentViews`, encoded once by the `ResponseCache`, observed through the `EnvironmentFeed`.
 */
export class EnvironmentService {
  readonly reconciler: Reconciler;
  readonly feed: EnvironmentFeed;
  private readonly views: EnvironmentViews;
  private readonly responses: ResponseCache;
  private readonly promotions: Promotions;
  private readonly limits: Limits;

  constructor(private readonly options: EnvironmentServiceOptions) {
    this.reconciler = new Reconciler({
      registry: options.registry,
      platform: options.platform,
      audit: options.audit,
      ...(options.maxRecreations === undefined ? {} : { maxRecreations: options.maxRecreations }),
      ...(options.clock === undefined ? {} : { clock: options.clock }),
      ...(options.onFailure === undefined ? {} : { onFailure: options.onFailure }),
    });
    this.feed = new EnvironmentFeed({
      reconciler: this.reconciler,
      pollIntervalMs: options.pollIntervalMs,
      ...(options.onError === undefined ? {} : { onError: options.onError }),
    });
    this.views = new EnvironmentViews({
      simulated: options.platform.simulated,
      ...(options.console === undefined ? {} : { console: options.console }),
    });
    this.responses = new ResponseCache(options);
    this.limits = new Limits(options.limits);
    this.promotions = new Promotions({
      registry: options.registry,
      platform: options.platform,
      audit: options.audit,
      feed: this.feed,
      ...(options.console === undefined ? {} : { console: options.console }),
    });
  }

  get mode() {
    return this.options.platform.mode;
  }

  /** The shared poll behind every read and stream (its figures are the metrics endpoint's). */
  get hub(): LiveHub<Observation> {
    return this.feed.hub;
  }

  /** Re-attaches the lifecycle reconciler to every environment still in flight (after a restart). */
  resume(): Promise<number> {
    return this.feed.resume();
  }

  /**
   * `resume`, then again every `rescanIntervalMs`: entries written by someone else (the sweeper,
   * another portal process) or whose poll gave up are reconciled without waiting for a request.
   */
  start(): Promise<number> {
    return this.feed.start(this.options.rescanIntervalMs ?? DEFAULT_RESCAN_INTERVAL_MS);
  }

  async list(user: User, query: ListOptions = {}): Promise<EnvironmentList> {
    const records = await this.options.registry.list(
      query.status === undefined ? {} : { status: query.status },
    );
    const summary = { active: 0, destroyed: 0, monthlyCostUsd: 0 };
    for (const record of records) {
      if (record.status === 'destroyed') summary.destroyed += 1;
      else {
        summary.active += 1;
        summary.monthlyCostUsd += this.views.cost(record).monthlyUsd;
      }
    }
    summary.monthlyCostUsd = Math.round(summary.monthlyCostUsd * 100) / 100;
    // Records come sorted by suffix: the page starts after the cursor, wherever it would sort.
    const cursor = query.cursor;
    const start = cursor === undefined ? 0 : records.findIndex((record) => record.environmentSuffix > cursor);
    const from = start === -1 ? records.length : start;
    const page = records.slice(from, from + (query.limit ?? DEFAULT_LIST_LIMIT));
    const last = page.at(-1);
    return {
      mode: this.mode,
      environments: page.map((record) => this.views.view(user, record)),
      total: records.length,
      summary,
      ...(last !== undefined && from + page.length < records.length
        ? { nextCursor: last.environmentSuffix }
        : {}),
    };
  }

  /** `GET /api/environments` as UTF-8 JSON bytes, reused while the registry and the user's rights are unchanged. */
  listBody(user: User, query: ListOptions = {}): Promise<Uint8Array<ArrayBuffer>> {
    const key = [
      user.id,
      [...user.roles].sort().join('+'),
      query.status ?? '',
      query.limit ?? DEFAULT_LIST_LIMIT,
      query.cursor ?? '',
    ].join('|');
    return this.responses.listBody(key, () => this.list(user, query));
  }

  async get(user: User, environmentSuffix: string): Promise<EnvironmentDetail> {
    return this.views.detail(user, await this.observeExisting(environmentSuffix));
  }

  /**
   * `GET /api/environments/{suffix}` as UTF-8 JSON bytes: `get` encoded. The observation is read exactly
   * as `get` reads it (the feed's value, never older than one poll interval; a mutation invalidates it);
   * only its encoding is reused, per set of rights: the user's permissions are the view's only
   * user-specific part. Encoding 200 events and the timeline costs more than the rest of the request.
   */
  async detailBody(user: User, environmentSuffix: string): Promise<Uint8Array<ArrayBuffer>> {
    const observation = await this.observeExisting(environmentSuffix);
    const rights = JSON.stringify(environmentPermissions(user, destroyTarget(observation.record)));
    return this.responses.detailBody(observation, rights, () => this.views.detail(user, observation));
  }

  async request(user: User, body: unknown): Promise<EnvironmentDetail> {
    const parsed = parseCreateEnvironmentRequest(body, user.id);
    if (!parsed.success) throw validationFailed(parsed.errors);
    const { deployment } = this.options;
    if (deployment !== undefined) {
      // An account/region the pipeline was never bootstrapped for would break every deployment.
      const errors = deploymentTargetErrors(parsed.spec, deployment);
      if (errors.length > 0) throw validationFailed(errors);
    }
    const { spec } = parsed;
    const suffix = spec.environmentSuffix;
    const details = { kind: spec.kind, region: spec.region, project: spec.project };
    // Every request is audited before it has an effect: refused (role, limits, a taken suffix), or accepted.
    const refuse = async (error: DomainError) => {
      await this.auditAs(user, 'environment.requested', suffix, 'denied', {
        ...details,
        reason: error.message,
      });
      return error;
    };
    const decision = mayRequest(user, spec.kind);
    if (!decision.allowed) throw await refuse(forbidden(decision.reason));
    const activeEphemeral =
      spec.kind === 'ephemeral'
        ? (await this.options.registry.list()).filter(
            (r) => r.spec.kind === 'ephemeral' && r.requestedBy === user.id && r.status !== 'destroyed',
          ).length
        : 0;
    const limit = this.limits.createRefusal(user.id, { kind: spec.kind, activeEphemeral });
    if (limit !== undefined) throw await refuse(limit);
    const existing = await this.options.registry.get({ environmentSuffix: suffix });
    if (existing !== undefined && existing.status !== 'destroyed') throw await refuse(suffixTaken(suffix));
    this.limits.noteCreate(user.id);
    await this.auditAs(user, 'environment.requested', suffix, 'success', details);
    let record: EnvironmentRecord;
    try {
      record = await this.reconciler.register(spec, user.id);
    } catch (error) {
      // Lost a race for the suffix (or the store refused the entry) after the audit: say so in the trail.
      const failure = (reason: string) =>
        this.auditAs(user, 'environment.requested', suffix, 'failure', { ...details, reason });
      if (error instanceof SuffixTakenError) {
        await failure('the suffix was taken meanwhile');
        throw suffixTaken(suffix);
      }
      if (error instanceof InvalidEnvironmentSpecError) {
        await failure('the registry refused the spec');
        throw validationFailed(error.errors);
      }
      throw error;
    }
    // The reconciler provisions it (its step runs now, and again on every poll until the platform has
    // it): a crash from here on loses nothing.
    this.feed.track(record.environmentSuffix);
    try {
      return this.views.detail(user, await this.feed.refresh(record.environmentSuffix));
    } catch (error) {
      if (error instanceof DomainError) throw error;
      // Registered and tracked: the reconciler retries the platform, backing off while it fails.
      return this.views.detail(user, { record, snapshot: idleSnapshot(record, 'queued') });
    }
  }

  async destroy(user: User, environmentSuffix: string): Promise<EnvironmentDetail> {
    if (
      this.reconciler.wasRemoved(environmentSuffix) &&
      (await this.options.registry.get({ environmentSuffix })) === undefined
    )
      throw notDestroyable('the environment is already destroyed');
    const record = await this.existing(environmentSuffix);
    const target = destroyTarget(record);
    const action = 'environment.destroy-requested';
    const blocker = destroyBlocker(target);
    if (blocker !== undefined) {
      await this.auditAs(user, action, environmentSuffix, 'denied', { reason: blocker });
      throw notDestroyable(blocker);
    }
    const decision = mayDestroy(user, target);
    if (!decision.allowed) {
      await this.auditAs(user, action, environmentSuffix, 'denied', { reason: decision.reason });
      throw forbidden(decision.reason);
    }
    await this.auditAs(user, action, environmentSuffix, 'success', { previousStatus: record.status });
    const claimed = await this.reconciler.claimDestroy(record, user.id);
    this.feed.track(environmentSuffix);
    // The request makes the teardown's first (short) step; the reconciler's polls make the rest.
    let refusal: string | undefined;
    try {
      const advanced = await this.reconciler.advanceTeardown(claimed);
      if (advanced.step.outcome === 'refused') refusal = advanced.step.reason;
    } catch (error) {
      // Claimed and tracked: the reconciler's polls retry it, backing off while AWS throttles or fails.
      if (!(error instanceof UpstreamError)) throw error;
    }
    this.feed.invalidate(environmentSuffix);
    if (refusal !== undefined) throw notDestroyable(refusal);
    try {
      return await this.get(user, environmentSuffix);
    } catch (error) {
      if (!(error instanceof UpstreamError)) throw error;
      // Accepted all the same: the entry is `destroying` and the reconciler keeps at it.
      return this.views.detail(user, { record: claimed, snapshot: idleSnapshot(claimed, 'destroying') });
    }
  }

  async compliance(environmentSuffix: string): Promise<ComplianceReport> {
    const record = await this.existing(environmentSuffix);
    return this.options.platform.compliance({ record });
  }

  /** What is deployed and where it came from (evidence identity, comparison): gaps named, never guessed. */
  async provenance(environmentSuffix: string): Promise<EnvironmentProvenance> {
    const record = await this.existing(environmentSuffix);
    return this.options.platform.provenance({ record });
  }

  async detectDrift(user: User, environmentSuffix: string): Promise<DriftReport> {
    const record = await this.existing(environmentSuffix);
    try {
      const report = await this.options.platform.detectDrift({ record });
      await this.options.audit.record({
        actor: user.id,
        action: 'environment.drift-checked',
        target: environmentSuffix,
        outcome: 'success',
        details: { status: report.status, drifted: String(report.driftedResources.length) },
      });
      return report;
    } catch (error) {
      if (error instanceof NotDeployedError) throw conflict(error.message);
      throw error;
    }
  }

  /** `flat-outputs.json`: `{ OutputKey: value }` of the deployed stack. */
  async flatOutputs(environmentSuffix: string): Promise<Record<string, string>> {
    const { snapshot } = await this.observeExisting(environmentSuffix);
    if (snapshot.outputs.length === 0)
      throw conflict(`environment "${environmentSuffix}" has no outputs yet`);
    return Object.fromEntries(snapshot.outputs.map((output) => [output.key, output.value]));
  }

  pipeline(user: User): Promise<PipelineView> {
    return this.promotions.pipeline(user);
  }

  /**
   * Deploys a failed environment again through the platform's own provision path (aws: a new pipeline
   * execution; local: a new synth and rollout). The registry follows the platform as for any deployment.
   */
  async retry(user: User, environmentSuffix: string): Promise<EnvironmentDetail> {
    const record = await this.existing(environmentSuffix);
    const target = destroyTarget(record);
    const action = 'environment.retry-requested';
    const blocker = retryBlocker(target);
    if (blocker !== undefined) {
      await this.auditAs(user, action, environmentSuffix, 'denied', { reason: blocker });
      throw conflict(blocker);
    }
    const decision = mayRetry(user, target);
    if (!decision.allowed) {
      await this.auditAs(user, action, environmentSuffix, 'denied', { reason: decision.reason });
      throw forbidden(decision.reason);
    }
    await this.auditAs(user, action, environmentSuffix, 'success', {
      previousStatus: record.status,
      ...(record.statusReason ? { reason: record.statusReason } : {}),
    });
    await this.reconciler.provision(record);
    this.feed.invalidate(environmentSuffix);
    this.feed.track(environmentSuffix, { untilSettledAfterChange: true });
    return this.get(user, environmentSuffix);
  }

  decidePromotion(user: User, body: unknown): Promise<PipelineView> {
    return this.promotions.decide(user, body);
  }

  promotionPreview(user: User): Promise<PromotionPreview> {
    return this.promotions.preview(user);
  }

  async suffixAvailability(suffix: string): Promise<SuffixAvailability> {
    const parsed = environmentSuffixSchema.safeParse(suffix);
    if (!parsed.success) {
      const errors = toFieldErrors(parsed.error).map((e) => ({ ...e, path: 'environmentSuffix' }));
      return { suffix, available: false, reason: 'invalid', errors };
    }
    const existing = await this.options.registry.get({ environmentSuffix: suffix });
    // A `destroyed` entry (left by an older portal) gives its suffix up to the next request.
    return existing === undefined || existing.status === 'destroyed'
      ? { suffix, available: true }
      : { suffix, available: false, reason: 'taken' };
  }

  audit(options: { limit: number; before?: string }): Promise<AuditPage> {
    return this.options.audit.list(options);
  }

  /** Messages for one SSE watcher; returns the unsubscribe function. */
  watch(
    environmentSuffix: string,
    send: (message: StreamMessage) => void,
    onSettled: () => void,
  ): () => void {
    return this.feed.watch(environmentSuffix, send, onSettled);
  }

  costEstimate(input: Parameters<typeof costEstimate>[0]): CostEstimate {
    return costEstimate(input);
  }

  close(): void {
    this.feed.close();
  }

  /** Opens an event stream for `user` (the route releases it when the stream ends). @throws 429 */
  openStream(user: User): () => void {
    return this.limits.openStream(user.id);
  }

  private async auditAs(
    user: User,
    action: AuditAction,
    target: string,
    outcome: 'success' | 'failure' | 'denied',
    details: Readonly<Record<string, string>>,
  ): Promise<void> {
    await this.options.audit.record({ actor: user.id, action, target, outcome, details });
  }

  private async existing(environmentSuffix: string): Promise<EnvironmentRecord> {
    const record = await this.options.registry.get({ environmentSuffix });
    if (record === undefined) throw notFound(`environment "${environmentSuffix}" does not exist`);
    return record;
  }

  private async observeExisting(environmentSuffix: string): Promise<Observation> {
    if (!environmentSuffixSchema.safeParse(environmentSuffix).success)
      throw notFound(`environment "${environmentSuffix}" does not exist`);
    return this.feed.read(environmentSuffix);
  }
}

function suffixTaken(suffix: string): DomainError {
  return new DomainError('suffix_taken', `environmentSuffix "${suffix}" is already taken`, [
    { path: 'environmentSuffix', message: 'this suffix is already taken' },
  ]);
}

/** What is shown of an environment the platform could not be asked about yet. */
function idleSnapshot(record: EnvironmentRecord, phase: 'queued' | 'destroying'): DeploymentSnapshot {
  return {
    stackName: environmentStackName(record.environmentSuffix),
    progress: { phase, resourcesDone: 0, resourcesTotal: 0, percent: 0 },
    events: [],
    timeline: [],
    outputs: [],
  };
}
