import {
  type EnvironmentRecord,
  type EnvironmentRegistry,
  InvalidEnvironmentSpecError,
  SuffixTakenError,
  VersionConflictError,
} from '@sep/registry';
import { type DeploymentTarget, deploymentTargetErrors } from '@sep/registry/targets';
import { RECREATE_PREFIX, TEARDOWN_FAILURE_PREFIX } from '@sep/registry/teardown';
import { type EnvironmentSpec, physicalName, toFieldErrors } from '@sep/spec';
import type { AuditStore } from '../audit/audit-store';
import { LiveHub } from '../live/hub';
import {
  type DeploymentSnapshot,
  NoPendingPromotionError,
  NotDeployedError,
  type PlatformPort,
  StalePromotionError,
  type TeardownStep,
  UpstreamError,
} from '../platform/port';
import {
  type PipelineConsole,
  pipelineExecutionConsoleUrl,
  pipelineExecutionsConsoleUrl,
  stackConsoleUrl,
} from './console-links';
import { estimateMonthlyCost } from './cost';
import { conflict, DomainError, forbidden, notDestroyable, notFound, validationFailed } from './errors';
import { isSettled, statusForPhase, transitionPath } from './lifecycle';
import {
  destroyBlocker,
  environmentPermissions,
  mayDecidePromotion,
  mayDestroy,
  mayRequest,
  mayRetry,
  retryBlocker,
} from './permissions';
import {
  DEFAULT_LIST_LIMIT,
  environmentSuffixSchema,
  type ListQuery,
  parseCreateEnvironmentRequest,
  promotionDecisionSchema,
} from './requests';

/** A page of the list: `ListQuery` with every field optional (the schema's defaults apply). */
export type ListOptions = Partial<ListQuery>;

import type {
  AuditPage,
  ComplianceReport,
  CostEstimate,
  DriftReport,
  EnvironmentDetail,
  EnvironmentList,
  EnvironmentStatus,
  EnvironmentView,
  PipelineView,
  StreamMessage,
  SuffixAvailability,
  User,
} from './types';

/** A teardown step's result: the record it left (none once the entry is removed). */
interface TeardownAdvance {
  readonly record?: EnvironmentRecord;
  readonly step: TeardownStep;
}

/** What one upstream poll of an environment yields: the record after reconciling, and the platform's view. */
export interface Observation {
  readonly record: EnvironmentRecord;
  readonly snapshot: DeploymentSnapshot;
}

export interface EnvironmentServiceOptions {
  readonly registry: EnvironmentRegistry;
  readonly platform: PlatformPort;
  readonly audit: AuditStore;
  /**
   * Changes whenever the registry's list may have changed; when given, the
   * serialized list is reused per user until it does (1,000 environments make a
   * ~0.5 MB answer that would otherwise be rebuilt on every request).
   */
  readonly listRevision?: () => string | undefined;
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
  /**
   * Bound of the encoded detail bodies kept for reuse (one per environment and set of rights; ~110 KB
   * each with 150 resources). @default 192 MiB: 1,000+ environments of that size.
   */
  readonly detailBodyCacheBytes?: number;
  /** @default () => new Date() */
  readonly clock?: () => Date;
  /** aws mode: where the pipeline lives, for links into the AWS console. */
  readonly console?: PipelineConsole;
}

const SYSTEM_ACTOR = 'system';
/** Removed environments remembered for their detail and stream (the audit log keeps every one). */
const MAX_REMOVED = 1000;
const DEFAULT_DETAIL_BODY_CACHE_BYTES = 192 * 1024 * 1024;

/** The encoded detail of one observation of an environment, per set of rights (what differs by user). */
interface DetailBodies {
  readonly record: EnvironmentRecord;
  readonly snapshot: DeploymentSnapshot;
  readonly bodies: Map<string, Uint8Array<ArrayBuffer>>;
  bytes: number;
}

/**
 * The portal's use cases. Route handlers parse and authenticate, then call
 * exactly one method here; every rule (ownership, destroyability, lifecycle)
 * lives here or in the pure modules it uses.
 */
export class EnvironmentService {
  readonly hub: LiveHub<Observation>;
  private readonly tracked = new Map<string, () => void>();
  /**
   * Environments whose registry entry this process saw removed after their destroy, oldest first: their
   * detail and stream end as `destroyed` (not 404) until the suffix is requested again or a restart.
   */
  private readonly removed = new Map<string, Observation>();
  /** One teardown step per environment at a time (the destroy request and a poll may coincide). */
  private readonly teardowns = new Map<string, Promise<TeardownAdvance>>();
  private readonly costs = new Map<string, CostEstimate>();
  private readonly listBodies = new Map<string, Promise<Uint8Array<ArrayBuffer>>>();
  /** Per environment, least recently used first; `detailBytes` is their total. */
  private readonly detailBodies = new Map<string, DetailBodies>();
  private detailBytes = 0;
  private readonly clock: () => Date;

  constructor(private readonly options: EnvironmentServiceOptions) {
    this.clock = options.clock ?? (() => new Date());
    this.hub = new LiveHub({ poll: (suffix) => this.observe(suffix), intervalMs: options.pollIntervalMs });
  }

  get mode() {
    return this.options.platform.mode;
  }

  /** Re-attaches the lifecycle reconciler to every environment still in flight (after a restart). */
  async resume(): Promise<number> {
    const records = await this.options.registry.list();
    const inFlight = records.filter((record) => !settled(record));
    for (const record of inFlight) this.track(record.environmentSuffix);
    return inFlight.length;
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
        summary.monthlyCostUsd += this.cost(record).monthlyUsd;
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
      environments: page.map((record) => this.view(user, record)),
      total: records.length,
      summary,
      ...(last !== undefined && from + page.length < records.length
        ? { nextCursor: last.environmentSuffix }
        : {}),
    };
  }

  /**
   * `GET /api/environments` as UTF-8 JSON bytes, reused while the registry and the user's rights are
   * unchanged; concurrent misses share one build (50 clients arriving after a write must not build 50
   * bodies). Bytes, not a string: the body would otherwise be re-encoded per request.
   */
  listBody(user: User, query: ListOptions = {}): Promise<Uint8Array<ArrayBuffer>> {
    const encode = (list: EnvironmentList) => Buffer.from(JSON.stringify(list));
    const revision = this.options.listRevision?.();
    if (revision === undefined) return this.list(user, query).then(encode);
    const key = [
      revision,
      user.id,
      [...user.roles].sort().join('+'),
      query.status ?? '',
      query.limit ?? DEFAULT_LIST_LIMIT,
      query.cursor ?? '',
    ].join('|');
    const cached = this.listBodies.get(key);
    if (cached !== undefined) return cached;
    const body = this.list(user, query).then(encode);
    if (this.listBodies.size > 200) this.listBodies.clear();
    this.listBodies.set(key, body);
    // Kept only if nothing changed while it was built, so no key ever holds older data.
    body.then(
      () => {
        if (this.options.listRevision?.() !== revision) this.listBodies.delete(key);
      },
      () => this.listBodies.delete(key),
    );
    return body;
  }

  async get(user: User, environmentSuffix: string): Promise<EnvironmentDetail> {
    const observation = await this.observeExisting(environmentSuffix);
    return this.detail(user, observation);
  }

  /**
   * `GET /api/environments/{suffix}` as UTF-8 JSON bytes: `get` encoded. The observation is read exactly
   * as `get` reads it (the hub's value, never older than one poll interval; a mutation invalidates it);
   * only its encoding is reused, while the platform hands back the same snapshot object and the registry
   * the same record version, per set of rights: the user's permissions are the view's only user-specific
   * part. Encoding 200 events and the timeline costs more than the rest of the request.
   */
  async detailBody(user: User, environmentSuffix: string): Promise<Uint8Array<ArrayBuffer>> {
    const observation = await this.observeExisting(environmentSuffix);
    const { record, snapshot } = observation;
    const rights = JSON.stringify(environmentPermissions(user, destroyTarget(record)));
    let entry = this.detailBodies.get(environmentSuffix);
    if (entry !== undefined) {
      this.detailBodies.delete(environmentSuffix);
      if (entry.snapshot !== snapshot || !sameRecordVersion(entry.record, record)) {
        this.detailBytes -= entry.bytes;
        entry = undefined;
      }
    }
    entry ??= { record, snapshot, bodies: new Map(), bytes: 0 };
    this.detailBodies.set(environmentSuffix, entry);
    const cached = entry.bodies.get(rights);
    if (cached !== undefined) return cached;
    // Synchronous from here: concurrent readers of one observation resume one by one, the first builds.
    const body: Uint8Array<ArrayBuffer> = Buffer.from(JSON.stringify(this.detail(user, observation)));
    entry.bodies.set(rights, body);
    entry.bytes += body.byteLength;
    this.detailBytes += body.byteLength;
    const budget = this.options.detailBodyCacheBytes ?? DEFAULT_DETAIL_BODY_CACHE_BYTES;
    for (const [suffix, oldest] of this.detailBodies) {
      if (this.detailBytes <= budget) break;
      this.detailBodies.delete(suffix);
      this.detailBytes -= oldest.bytes;
    }
    return body;
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
    const decision = mayRequest(user, parsed.spec.kind);
    if (!decision.allowed) throw forbidden(decision.reason);
    let record: EnvironmentRecord;
    try {
      record = await this.register(parsed.spec, user.id);
    } catch (error) {
      if (error instanceof SuffixTakenError) {
        throw new DomainError(
          'suffix_taken',
          `environmentSuffix "${parsed.spec.environmentSuffix}" is already taken`,
          [{ path: 'environmentSuffix', message: 'this suffix is already taken' }],
        );
      }
      if (error instanceof InvalidEnvironmentSpecError) throw validationFailed(error.errors);
      throw error;
    }
    await this.options.audit.record({
      actor: user.id,
      action: 'environment.requested',
      target: record.environmentSuffix,
      outcome: 'success',
      details: { kind: record.spec.kind, region: record.spec.region, project: record.spec.project },
    });
    this.removed.delete(record.environmentSuffix);
    await this.options.platform.provision({ record });
    this.hub.invalidate(record.environmentSuffix);
    this.track(record.environmentSuffix);
    return this.get(user, record.environmentSuffix);
  }

  async destroy(user: User, environmentSuffix: string): Promise<EnvironmentDetail> {
    if (
      this.removed.has(environmentSuffix) &&
      (await this.options.registry.get({ environmentSuffix })) === undefined
    )
      throw notDestroyable('the environment is already destroyed');
    const record = await this.existing(environmentSuffix);
    const target = {
      kind: record.spec.kind,
      owner: record.spec.owner,
      requestedBy: record.requestedBy,
      status: record.status,
    };
    const blocker = destroyBlocker(target);
    if (blocker !== undefined) throw notDestroyable(blocker);
    const decision = mayDestroy(user, target);
    if (!decision.allowed) {
      await this.options.audit.record({
        actor: user.id,
        action: 'environment.destroy-requested',
        target: environmentSuffix,
        outcome: 'denied',
        details: { reason: decision.reason },
      });
      throw forbidden(decision.reason);
    }
    let updated: EnvironmentRecord;
    try {
      updated = await this.options.registry.updateStatus({
        environmentSuffix,
        status: 'destroying',
        statusReason: `destroy requested by ${user.id}`,
        expectedVersion: record.version,
        now: this.clock(),
      });
    } catch (error) {
      if (error instanceof VersionConflictError)
        throw conflict(`${environmentSuffix} changed meanwhile; try again`);
      throw error;
    }
    const platformTearsDown = this.options.platform.teardown !== undefined;
    if (!platformTearsDown) await this.options.platform.destroy({ record: updated });
    await this.options.audit.record({
      actor: user.id,
      action: 'environment.destroy-requested',
      target: environmentSuffix,
      outcome: 'success',
      details: { previousStatus: record.status },
    });
    this.hub.invalidate(environmentSuffix);
    this.track(environmentSuffix);
    if (platformTearsDown) return this.startTeardown(user, updated);
    return this.get(user, environmentSuffix);
  }

  async compliance(environmentSuffix: string): Promise<ComplianceReport> {
    const record = await this.existing(environmentSuffix);
    return this.options.platform.compliance({ record });
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

  async pipeline(user: User): Promise<PipelineView> {
    const view = await this.options.platform.pipeline();
    const pending = view.pendingPromotion;
    const execution = view.currentExecution;
    const pipelineConsole = this.options.console;
    return {
      ...view,
      ...(execution === undefined || pipelineConsole === undefined
        ? {}
        : {
            currentExecution: {
              ...execution,
              consoleUrl: pipelineExecutionConsoleUrl({
                ...pipelineConsole,
                executionId: execution.executionId,
              }),
            },
          }),
      ...(pending === undefined
        ? {}
        : {
            pendingPromotion: {
              ...pending,
              // What the approval deploys: every prod environment in the registry (the prod stage's stacks).
              environments: (await this.options.registry.list())
                .filter((record) => record.spec.kind === 'prod' && record.status !== 'destroyed')
                .map((record) => record.environmentSuffix),
            },
          }),
      canDecide: mayDecidePromotion(user).allowed,
    };
  }

  /**
   * Deploys a failed environment again through the platform's own provision path (aws: a new pipeline
   * execution; local: a new synth and rollout). The registry follows the platform as for any deployment.
   */
  async retry(user: User, environmentSuffix: string): Promise<EnvironmentDetail> {
    const record = await this.existing(environmentSuffix);
    const target = destroyTarget(record);
    const blocker = retryBlocker(target);
    if (blocker !== undefined) throw conflict(blocker);
    const decision = mayRetry(user, target);
    if (!decision.allowed) {
      await this.options.audit.record({
        actor: user.id,
        action: 'environment.retry-requested',
        target: environmentSuffix,
        outcome: 'denied',
        details: { reason: decision.reason },
      });
      throw forbidden(decision.reason);
    }
    // A failed first create leaves a stack that can only be deleted (ROLLBACK_COMPLETE): CloudFormation
    // refuses the retried deployment's change set on it, so the retry recreates it as the reconciler would.
    const snapshot = await this.options.platform.describe({ record });
    if (snapshot.replaceable === true && this.options.platform.recreate !== undefined) {
      await this.recreate(record, snapshot);
    } else {
      await this.options.platform.provision({ record });
    }
    await this.options.audit.record({
      actor: user.id,
      action: 'environment.retry-requested',
      target: environmentSuffix,
      outcome: 'success',
      details: {
        previousStatus: record.status,
        ...(record.statusReason ? { reason: record.statusReason } : {}),
      },
    });
    this.hub.invalidate(environmentSuffix);
    this.track(environmentSuffix, { untilSettledAfterChange: true });
    return this.get(user, environmentSuffix);
  }

  async decidePromotion(user: User, body: unknown): Promise<PipelineView> {
    // Who may decide comes first: a caller without the right learns nothing about the body's shape.
    const decision = mayDecidePromotion(user);
    if (!decision.allowed) throw forbidden(decision.reason);
    const parsed = promotionDecisionSchema.safeParse(body);
    if (!parsed.success) throw validationFailed(toFieldErrors(parsed.error));
    const { executionId } = parsed.data;
    const action = parsed.data.decision === 'approve' ? 'promotion.approved' : 'promotion.rejected';
    try {
      await this.options.platform.decidePromotion({ ...parsed.data, actor: user.id });
    } catch (error) {
      if (error instanceof StalePromotionError) {
        await this.options.audit.record({
          actor: user.id,
          action,
          target: 'PromoteToProd',
          outcome: 'denied',
          details: {
            executionId,
            waitingExecutionId: error.waitingExecutionId,
            reason: 'another execution waits for the decision',
          },
        });
        throw conflict(error.message);
      }
      if (error instanceof NoPendingPromotionError) throw conflict(error.message);
      throw error;
    }
    await this.options.audit.record({
      actor: user.id,
      action,
      target: 'PromoteToProd',
      outcome: 'success',
      details: { executionId, ...(parsed.data.comment ? { comment: parsed.data.comment } : {}) },
    });
    if (parsed.data.decision === 'approve') {
      for (const record of await this.options.registry.list()) {
        if (record.spec.kind === 'prod') {
          this.hub.invalidate(record.environmentSuffix);
          this.track(record.environmentSuffix, { untilSettledAfterChange: true });
        }
      }
    }
    return this.pipeline(user);
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
    let sentEvents = new Set<string>();
    let lastKey = '';
    return this.hub.subscribe(environmentSuffix, (update) => {
      if (update.type === 'error') {
        send({
          type: 'error',
          message: 'the platform could not be reached; retrying',
          retryInMs: update.retryInMs,
        });
        return;
      }
      const { record, snapshot } = update.value;
      const fresh = snapshot.events.filter((event) => !sentEvents.has(event.eventId));
      if (fresh.length > 0) {
        send({ type: 'events', events: fresh });
        sentEvents = new Set(snapshot.events.map((event) => event.eventId));
      }
      const key = JSON.stringify([
        record.status,
        record.statusReason,
        snapshot.progress,
        snapshot.outputs.length,
      ]);
      if (key !== lastKey) {
        lastKey = key;
        send({
          type: 'snapshot',
          status: record.status,
          ...(record.statusReason === undefined ? {} : { statusReason: record.statusReason }),
          progress: snapshot.progress,
          ...(snapshot.failure === undefined ? {} : { failure: snapshot.failure }),
          outputsAvailable: snapshot.outputs.length > 0,
        });
      }
      if (settled(record) && isSettledPhase(snapshot.progress.phase)) onSettled();
    });
  }

  costEstimate(input: {
    readonly region?: string;
    readonly features?: Partial<EnvironmentSpec['features']>;
    readonly existingDatabaseSecretArn?: string;
  }): CostEstimate {
    return estimateMonthlyCost({
      ...(input.region === undefined ? {} : { region: input.region }),
      ...(input.features === undefined ? {} : { features: input.features }),
      importsDatabaseSecret: input.existingDatabaseSecretArn !== undefined,
    });
  }

  close(): void {
    for (const stop of this.tracked.values()) stop();
    this.tracked.clear();
    this.hub.close();
  }

  // -- internals --------------------------------------------------------------

  /**
   * Keeps an environment's poll loop alive until its lifecycle settles, so the
   * registry moves on even when nobody watches. Shares the hub's single poll.
   */
  private track(environmentSuffix: string, options: { untilSettledAfterChange?: boolean } = {}): void {
    this.tracked.get(environmentSuffix)?.();
    let sawWork = !options.untilSettledAfterChange;
    let stop: (() => void) | undefined;
    let settledEarly = false;
    const release = () => {
      if (stop === undefined) settledEarly = true;
      else stop();
      this.tracked.delete(environmentSuffix);
    };
    stop = this.hub.subscribe(environmentSuffix, (update) => {
      if (update.type !== 'value') return;
      const { record, snapshot } = update.value;
      if (!settled(record) || !isSettledPhase(snapshot.progress.phase)) sawWork = true;
      else if (sawWork) release();
    });
    if (settledEarly) stop();
    else this.tracked.set(environmentSuffix, () => stop?.());
  }

  private async existing(environmentSuffix: string): Promise<EnvironmentRecord> {
    const record = await this.options.registry.get({ environmentSuffix });
    if (record === undefined) throw notFound(`environment "${environmentSuffix}" does not exist`);
    return record;
  }

  private async observeExisting(environmentSuffix: string): Promise<Observation> {
    const suffix = environmentSuffixSchema.safeParse(environmentSuffix);
    if (!suffix.success) throw notFound(`environment "${environmentSuffix}" does not exist`);
    try {
      return await this.hub.read(environmentSuffix);
    } catch (error) {
      if (error instanceof DomainError) throw error;
      throw error;
    }
  }

  /**
   * ONE upstream platform read, then the registry brought in line with it. A `destroying` environment
   * whose platform owns the teardown gets one teardown step first, and only that step moves it on.
   */
  private async observe(environmentSuffix: string): Promise<Observation> {
    const found = await this.options.registry.get({ environmentSuffix });
    if (found === undefined) return this.removedObservation(environmentSuffix);
    let record = found;
    if (record.status === 'destroying' && this.options.platform.teardown !== undefined) {
      const advanced = await this.advanceTeardown(record);
      if (advanced.record === undefined) return this.removedObservation(environmentSuffix);
      record = advanced.record;
      if (record.status === 'destroying')
        return { record, snapshot: await this.options.platform.describe({ record }) };
    }
    const snapshot = await this.options.platform.describe({ record });
    const reconciled = await this.rememberStack(await this.reconcile(record, snapshot), snapshot);
    if (this.shouldRecreate(reconciled, snapshot)) return this.recreate(reconciled, snapshot);
    return reconciled.status === 'destroyed'
      ? this.removeDestroyed(reconciled, snapshot)
      : { record: reconciled, snapshot };
  }

  /**
   * An ephemeral environment whose first create rolled back (ROLLBACK_COMPLETE: its stack can only be
   * deleted) is recreated by the platform, up to `maxRecreations` times; one already being recreated
   * gets one more step per poll until its stack is gone and the entry is `requested` again.
   */
  private shouldRecreate(record: EnvironmentRecord, snapshot: DeploymentSnapshot): boolean {
    if (this.options.platform.recreate === undefined) return false;
    if (record.spec.kind !== 'ephemeral' || record.status !== 'failed') return false;
    if (record.statusReason?.startsWith(RECREATE_PREFIX)) return true;
    return snapshot.replaceable === true && (record.recreations ?? 0) < (this.options.maxRecreations ?? 1);
  }

  private async recreate(record: EnvironmentRecord, snapshot: DeploymentSnapshot): Promise<Observation> {
    const starting = !record.statusReason?.startsWith(RECREATE_PREFIX);
    await this.options.platform.recreate?.({ record });
    const after = (await this.options.registry.get(record)) ?? record;
    if (starting || after.status !== record.status) {
      await this.options.audit.record({
        actor: SYSTEM_ACTOR,
        action: 'environment.status-changed',
        target: record.environmentSuffix,
        outcome: 'success',
        details: {
          from: record.status,
          to: after.status,
          reason: after.statusReason ?? 'recreating a rolled-back stack',
        },
      });
    }
    return { record: after, snapshot };
  }

  /** The registry keeps the ID of the stack the platform saw: the teardown looks that stack up by it. */
  private async rememberStack(
    record: EnvironmentRecord,
    snapshot: DeploymentSnapshot,
  ): Promise<EnvironmentRecord> {
    const { stackId } = snapshot;
    if (stackId === undefined || stackId === record.stackId || destroyingOrGone(record.status)) return record;
    try {
      return await this.options.registry.updateStatus({
        environmentSuffix: record.environmentSuffix,
        status: record.status,
        ...(record.statusReason === undefined ? {} : { statusReason: record.statusReason }),
        stackId,
        expectedVersion: record.version,
        now: this.clock(),
      });
    } catch (error) {
      if (error instanceof VersionConflictError) return (await this.options.registry.get(record)) ?? record;
      throw error;
    }
  }

  /** Registers the spec; an entry left `destroyed` (by an older portal) gives its suffix up first. */
  private async register(spec: EnvironmentSpec, requestedBy: string): Promise<EnvironmentRecord> {
    const register = () => this.options.registry.register({ spec, requestedBy, now: this.clock() });
    try {
      return await register();
    } catch (error) {
      if (!(error instanceof SuffixTakenError)) throw error;
      const existing = await this.options.registry.get({ environmentSuffix: spec.environmentSuffix });
      if (existing?.status !== 'destroyed') throw error;
      try {
        await this.options.registry.remove({
          environmentSuffix: existing.environmentSuffix,
          expectedVersion: existing.version,
        });
      } catch (removeError) {
        if (removeError instanceof VersionConflictError) throw error;
        throw removeError;
      }
      return register();
    }
  }

  /** The platform owns the teardown: the request starts it (one short step), the reconciler finishes it. */
  private async startTeardown(user: User, claimed: EnvironmentRecord): Promise<EnvironmentDetail> {
    const environmentSuffix = claimed.environmentSuffix;
    let advanced: TeardownAdvance | undefined;
    try {
      advanced = await this.advanceTeardown(claimed);
    } catch (error) {
      // Claimed and tracked: the reconciler's polls retry it, backing off while AWS throttles or fails.
      if (!(error instanceof UpstreamError)) throw error;
    }
    this.hub.invalidate(environmentSuffix);
    if (advanced?.step.outcome === 'refused') throw notDestroyable(advanced.step.reason);
    try {
      return await this.get(user, environmentSuffix);
    } catch (error) {
      if (!(error instanceof UpstreamError)) throw error;
      // Accepted all the same: the entry is `destroying` and the reconciler keeps at it.
      const progress = { phase: 'destroying', resourcesDone: 0, resourcesTotal: 0, percent: 0 } as const;
      const stackName = physicalName('environmentStack', { suffix: environmentSuffix });
      return this.detail(user, {
        record: claimed,
        snapshot: { stackName, progress, events: [], timeline: [], outputs: [] },
      });
    }
  }

  private advanceTeardown(record: EnvironmentRecord): Promise<TeardownAdvance> {
    const suffix = record.environmentSuffix;
    const running = this.teardowns.get(suffix);
    if (running !== undefined) return running;
    const advancing = this.teardownStep(record).finally(() => this.teardowns.delete(suffix));
    this.teardowns.set(suffix, advancing);
    return advancing;
  }

  /** One platform teardown step, and what it means for the registry and the audit log. */
  private async teardownStep(record: EnvironmentRecord): Promise<TeardownAdvance> {
    const { platform, registry, audit } = this.options;
    const environmentSuffix = record.environmentSuffix;
    if (platform.teardown === undefined) return { record, step: { outcome: 'in-progress' } };
    const step = await platform.teardown({ record, reason: record.statusReason ?? 'destroy requested' });
    if (step.outcome === 'in-progress') return { record, step };
    if (step.outcome === 'destroyed') {
      // The platform removed the entry (another poll of this process may have seen it first).
      if (!this.removed.has(environmentSuffix)) {
        this.remember(record, undefined);
        await audit.record({
          actor: SYSTEM_ACTOR,
          action: 'environment.status-changed',
          target: environmentSuffix,
          outcome: 'success',
          details: {
            from: record.status,
            to: 'destroyed',
            registryEntry: 'removed',
            ...(step.pipelineExecutionId === undefined
              ? {}
              : { pipelineExecutionId: step.pipelineExecutionId }),
          },
        });
      }
      return { step };
    }
    let failed: EnvironmentRecord;
    if (step.outcome === 'failed') {
      // The teardown recorded it: status `failed` with the resources CloudFormation could not delete.
      failed = (await registry.get(record)) ?? { ...record, status: 'failed', statusReason: step.reason };
    } else {
      // Refused, nothing deleted: a person has to look (the sweeper skips this prefix too).
      try {
        failed = await registry.updateStatus({
          environmentSuffix,
          status: 'failed',
          statusReason: `${TEARDOWN_FAILURE_PREFIX}${step.reason}`,
          expectedVersion: record.version,
          now: this.clock(),
        });
      } catch (error) {
        if (error instanceof VersionConflictError)
          return { record: (await registry.get(record)) ?? record, step };
        throw error;
      }
    }
    await audit.record({
      actor: SYSTEM_ACTOR,
      action: 'environment.status-changed',
      target: environmentSuffix,
      outcome: 'failure',
      details: { from: record.status, to: 'failed', reason: failed.statusReason ?? step.reason },
    });
    return { record: failed, step };
  }

  /** `destroyed` is where an environment ends: its entry goes, which frees the suffix. */
  private async removeDestroyed(
    record: EnvironmentRecord,
    snapshot: DeploymentSnapshot,
  ): Promise<Observation> {
    try {
      await this.options.registry.remove({
        environmentSuffix: record.environmentSuffix,
        expectedVersion: record.version,
      });
    } catch (error) {
      // Changed meanwhile: the next poll reads what it became.
      if (error instanceof VersionConflictError) return { record, snapshot };
      throw error;
    }
    return this.remember(record, snapshot);
  }

  /** Keeps the last view of an environment whose entry was removed after its destroy. */
  private remember(record: EnvironmentRecord, snapshot: DeploymentSnapshot | undefined): Observation {
    const environmentSuffix = record.environmentSuffix;
    const stackName = physicalName('environmentStack', { suffix: environmentSuffix });
    const observation: Observation = {
      record: {
        ...record,
        status: 'destroyed',
        statusReason: 'destroyed: its registry entry is removed, so the suffix can be requested again',
        updatedAt: this.clock().toISOString(),
      },
      snapshot:
        snapshot?.progress.phase === 'destroyed'
          ? snapshot
          : {
              stackName,
              progress: { phase: 'destroyed', resourcesDone: 0, resourcesTotal: 0, percent: 100 },
              events: [],
              timeline: [],
              outputs: [],
            },
    };
    this.removed.delete(environmentSuffix);
    this.removed.set(environmentSuffix, observation);
    if (this.removed.size > MAX_REMOVED) this.removed.delete(this.removed.keys().next().value as string);
    return observation;
  }

  /** The last view of a removed environment, or 404 for a suffix this process never saw destroyed. */
  private removedObservation(environmentSuffix: string): Observation {
    const observation = this.removed.get(environmentSuffix);
    if (observation !== undefined) return observation;
    // Removed by someone else (the sweeper, another portal process): nothing is left to reconcile.
    this.tracked.get(environmentSuffix)?.();
    this.tracked.delete(environmentSuffix);
    throw notFound(`environment "${environmentSuffix}" does not exist`);
  }

  private async reconcile(
    record: EnvironmentRecord,
    snapshot: DeploymentSnapshot,
  ): Promise<EnvironmentRecord> {
    // A teardown that failed or was refused waits for a person to destroy again, as the sweeper does.
    if (record.status === 'failed' && record.statusReason?.startsWith(TEARDOWN_FAILURE_PREFIX)) return record;
    // A rolled-back stack being deleted to be created afresh: the recreate steps move it on, not its delete.
    if (record.status === 'failed' && record.statusReason?.startsWith(RECREATE_PREFIX)) return record;
    const target = statusForPhase(snapshot.progress.phase);
    // A just-requested environment the platform has not picked up yet stays `requested`.
    if (target === record.status || target === 'requested') return record;
    // Deployments that skip (destroying → deploying) are stale reads: ignore them.
    if (destroyingOrGone(record.status) && !destroyingOrGone(target) && target !== 'failed') return record;
    let current = record;
    for (const status of transitionPath(record.status, target)) {
      const failure = snapshot.failure;
      const statusReason =
        status === 'failed' && failure !== undefined
          ? `${failure.logicalResourceId} (${failure.resourceType}) failed: ${failure.reason}`
          : undefined;
      try {
        const updated = await this.options.registry.updateStatus({
          environmentSuffix: current.environmentSuffix,
          status,
          ...(statusReason === undefined ? {} : { statusReason }),
          expectedVersion: current.version,
          now: this.clock(),
        });
        await this.options.audit.record({
          actor: SYSTEM_ACTOR,
          action: 'environment.status-changed',
          target: current.environmentSuffix,
          outcome: status === 'failed' ? 'failure' : 'success',
          details: {
            from: current.status,
            to: status,
            ...(statusReason === undefined ? {} : { reason: statusReason }),
          },
        });
        current = updated;
      } catch (error) {
        // Someone else (a destroy, another poll) wrote first: the next poll reads their write.
        if (error instanceof VersionConflictError)
          return (await this.options.registry.get(current)) ?? current;
        throw error;
      }
    }
    return current;
  }

  private cost(record: EnvironmentRecord): CostEstimate {
    const key = `${record.environmentSuffix}@${record.version}`;
    let estimate = this.costs.get(key);
    if (estimate === undefined) {
      estimate = this.costEstimate(record.spec);
      this.costs.set(key, estimate);
      if (this.costs.size > 5000) this.costs.delete(this.costs.keys().next().value as string);
    }
    return estimate;
  }

  private view(user: User, record: EnvironmentRecord): EnvironmentView {
    const { spec } = record;
    return {
      environmentSuffix: record.environmentSuffix,
      kind: spec.kind,
      owner: spec.owner,
      project: spec.project,
      costCenter: spec.costCenter,
      region: spec.region,
      dataClassification: spec.dataClassification,
      status: record.status,
      ...(record.statusReason === undefined ? {} : { statusReason: record.statusReason }),
      requestedBy: record.requestedBy,
      createdAt: record.createdAt,
      updatedAt: record.updatedAt,
      ...(record.expiresAt === undefined ? {} : { expiresAt: record.expiresAt }),
      stackName: physicalName('environmentStack', { suffix: record.environmentSuffix }),
      monthlyCostUsd: this.cost(record).monthlyUsd,
      simulated: this.options.platform.simulated,
      permissions: environmentPermissions(user, destroyTarget(record)),
    };
  }

  private detail(user: User, { record, snapshot }: Observation): EnvironmentDetail {
    return {
      ...this.view(user, record),
      spec: record.spec,
      progress: snapshot.progress,
      events: snapshot.events,
      timeline: snapshot.timeline,
      outputs: snapshot.outputs,
      ...(snapshot.outputsWarning === undefined ? {} : { outputsWarning: snapshot.outputsWarning }),
      ...(snapshot.failure === undefined ? {} : { failure: snapshot.failure }),
      cost: this.cost(record),
      ...(this.options.console === undefined
        ? {}
        : {
            links: {
              stack: stackConsoleUrl({ region: record.spec.region, stack: snapshot.stackName }),
              pipelineExecutions: pipelineExecutionsConsoleUrl(this.options.console),
            },
          }),
    };
  }
}

/** Every registry write bumps `version`; a re-registered suffix starts over with a new `createdAt`. */
function sameRecordVersion(a: EnvironmentRecord, b: EnvironmentRecord): boolean {
  return a === b || (a.version === b.version && a.createdAt === b.createdAt && a.updatedAt === b.updatedAt);
}

function destroyTarget(record: EnvironmentRecord) {
  return {
    kind: record.spec.kind,
    owner: record.spec.owner,
    requestedBy: record.requestedBy,
    status: record.status,
    ...(record.statusReason === undefined ? {} : { statusReason: record.statusReason }),
  };
}

/** Nothing moves until someone acts; a `failed` entry whose rolled-back stack is being recreated still moves. */
function settled(record: EnvironmentRecord): boolean {
  return isSettled(record.status) && record.statusReason?.startsWith(RECREATE_PREFIX) !== true;
}

function destroyingOrGone(status: EnvironmentStatus): boolean {
  return status === 'destroying' || status === 'destroyed';
}

function isSettledPhase(phase: string): boolean {
  return phase === 'complete' || phase === 'failed' || phase === 'destroyed' || phase === 'queued';
}
