import {
  type EnvironmentRecord,
  type EnvironmentRegistry,
  SuffixTakenError,
  VersionConflictError,
} from '@sep/registry';
import { environmentStackName } from '@sep/registry/names';
import { RECREATE_PREFIX, TEARDOWN_FAILURE_PREFIX } from '@sep/registry/teardown';
import type { EnvironmentSpec } from '@sep/spec';
import { LRUCache } from 'lru-cache';
import type { AuditStore } from '../audit/audit-store';
import { logger } from '../logger';
import type { DeploymentSnapshot, PlatformPort, TeardownStep } from '../platform/port';
import { conflict, notFound } from './errors';
import { isSettled, statusForPhase, transitionPath } from './lifecycle';
import type { EnvironmentStatus } from './types';

/** What one upstream poll of an environment yields: the record (after reconciling), and the platform's view. */
export interface Observation {
  readonly record: EnvironmentRecord;
  readonly snapshot: DeploymentSnapshot;
}

/** A teardown step's result: the record it left (none once the entry is removed). */
export interface TeardownAdvance {
  readonly record?: EnvironmentRecord;
  readonly step: TeardownStep;
}

export interface ReconcilerOptions {
  readonly registry: EnvironmentRegistry;
  readonly platform: PlatformPort;
  readonly audit: AuditStore;
  /**
   * How many times a rolled-back (ROLLBACK_COMPLETE) ephemeral stack is deleted and created afresh
   * before the environment is left `failed` for its owner. @default 1
   */
  readonly maxRecreations?: number;
  /** @default () => new Date() */
  readonly clock?: () => Date;
  /** Told of every failure the reconciler records, with its full reason (users see a summary). */
  readonly onFailure?: (failure: { readonly environmentSuffix: string; readonly reason: string }) => void;
}

/** The actor of every transition the platform (not a person) caused. */
export const SYSTEM_ACTOR = 'system';
/** Removed environments remembered for their detail and stream (the audit log keeps every one). */
const MAX_REMOVED = 1000;

/**
 * (Slightly over ~400 lines on purpose: every registry write of the lifecycle is here, so who writes
 * which transition is read in one file.)
 *
 * The ONLY writer of an environment's registry entry in the portal (beside the platform's own
 * teardown and recreate, which it invokes) and of its lifecycle audit entries
 * (`environment.status-changed`). Use cases ask it to register or claim an environment; `step` brings
 * one environment's entry in line with the platform. `read` never writes: request handlers and event
 * streams of environments nobody reconciles read through it.
 */
export class Reconciler {
  /**
   * Environments whose registry entry this process saw removed after their destroy: their detail and
   * stream end as `destroyed` (not 404) until the suffix is requested again or a restart.
   */
  private readonly removed = new LRUCache<string, Observation>({ max: MAX_REMOVED });
  /** One teardown step per environment at a time (the destroy request and a poll may coincide). */
  private readonly teardowns = new Map<string, Promise<TeardownAdvance>>();
  /**
   * The registry writes (suffix, life, version) this process asked the platform to deploy. Provisioning
   * is idempotent on both platforms (aws: a client request token per write; local: one pipeline run
   * carries every waiting write), so after a restart each `requested` entry is asked for once more.
   */
  private readonly provisioned = new LRUCache<string, true>({ max: 10_000 });
  /**
   * Registry writes (by suffix: the write's key) held back while an execution of the environments pipeline
   * deploys; every poll asks again until none does. A failed entry's retry waits here too.
   */
  private readonly held = new LRUCache<string, { readonly key: string; readonly retest: boolean }>({
    max: 10_000,
  });
  /** Environments (by life) given one more run because their execution failed before their smoke test. */
  private readonly retested = new LRUCache<string, true>({ max: 10_000 });
  private readonly clock: () => Date;

  constructor(private readonly options: ReconcilerOptions) {
    this.clock = options.clock ?? (() => new Date());
  }

  /** Environments the platform still moves on (after a restart, these are what the reconciler resumes). */
  async inFlight(): Promise<EnvironmentRecord[]> {
    return (await this.options.registry.list()).filter((record) => !settled(record));
  }

  /** True when this process removed the suffix's entry after its destroy (and it was not requested again). */
  wasRemoved(environmentSuffix: string): boolean {
    return this.removed.has(environmentSuffix);
  }

  /** Registers the spec; an entry left `destroyed` (by an older portal) gives its suffix up first. */
  async register(spec: EnvironmentSpec, requestedBy: string): Promise<EnvironmentRecord> {
    const register = () => this.options.registry.register({ spec, requestedBy, now: this.clock() });
    let record: EnvironmentRecord;
    try {
      record = await register();
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
      record = await register();
    }
    this.removed.delete(record.environmentSuffix);
    return record;
  }

  /** `record` → `destroying` for `actor`; 409 when the entry changed since it was read. */
  async claimDestroy(record: EnvironmentRecord, actor: string): Promise<EnvironmentRecord> {
    try {
      return await this.options.registry.updateStatus({
        environmentSuffix: record.environmentSuffix,
        status: 'destroying',
        statusReason: `destroy requested by ${actor}`,
        expectedVersion: record.version,
        now: this.clock(),
      });
    } catch (error) {
      if (error instanceof VersionConflictError)
        throw conflict(`${record.environmentSuffix} changed meanwhile; try again`);
      throw error;
    }
  }

  /**
   * What the registry and the platform say now, written nowhere: an entry this process removed after
   * its destroy reads as its last view; one removed by someone else is 404.
   */
  async read(environmentSuffix: string): Promise<Observation> {
    const record = await this.options.registry.get({ environmentSuffix });
    if (record === undefined) return this.removedObservation(environmentSuffix);
    return { record, snapshot: await this.options.platform.describe({ record }) };
  }

  /**
   * ONE upstream platform read, then the registry brought in line with it. A `destroying` environment
   * gets one teardown step first, and only that step moves it on.
   */
  async step(environmentSuffix: string): Promise<Observation> {
    const found = await this.options.registry.get({ environmentSuffix });
    if (found === undefined) return this.removedObservation(environmentSuffix);
    let record = found;
    if (record.status === 'destroying') {
      const advanced = await this.advanceTeardown(record);
      if (advanced.record === undefined) return this.removedObservation(environmentSuffix);
      record = advanced.record;
      if (record.status === 'destroying')
        return { record, snapshot: await this.options.platform.describe({ record }) };
    }
    if (this.wantsProvisioning(record))
      await this.startRun(record, { retest: this.held.get(record.environmentSuffix)?.retest ?? false });
    const snapshot = await this.retestOrFail(record, await this.options.platform.describe({ record }));
    const reconciled = await this.rememberStack(await this.reconcile(record, snapshot), snapshot);
    if (this.shouldRecreate(reconciled, snapshot)) return this.recreate(reconciled, snapshot);
    return reconciled.status === 'destroyed'
      ? this.removeDestroyed(reconciled, snapshot)
      : { record: reconciled, snapshot };
  }

  /** One teardown step per environment at a time: a destroy request and a poll may coincide. */
  advanceTeardown(record: EnvironmentRecord): Promise<TeardownAdvance> {
    const suffix = record.environmentSuffix;
    const running = this.teardowns.get(suffix);
    if (running !== undefined) return running;
    const advancing = this.teardownStep(record).finally(() => this.teardowns.delete(suffix));
    this.teardowns.set(suffix, advancing);
    return advancing;
  }

  /**
   * Asks the platform to deploy `record` (a failed one again: a retry). Idempotent per registry write;
   * a failure propagates, and the next poll asks again (the hub backs off meanwhile). While an execution
   * deploys, the request is held (see `DeploymentService.deployingExecution`) and the next poll asks again:
   * once it ends, one run carries every write that waited.
   */
  async provision(record: EnvironmentRecord): Promise<void> {
    // A person asked again: an environment left untested gets its one more run again.
    this.retested.delete(lifeKey(record));
    await this.startRun(record);
  }

  // -- internals --------------------------------------------------------------

  private async startRun(
    record: EnvironmentRecord,
    options: { readonly retest?: boolean } = {},
  ): Promise<void> {
    // A failed first create leaves a stack that can only be deleted (ROLLBACK_COMPLETE): CloudFormation
    // refuses a change set on it, so a retry recreates it, as the reconciler's own recreation does.
    if (record.status === 'failed') {
      const snapshot = await this.options.platform.describe({ record });
      if (snapshot.replaceable === true) {
        await this.recreate(record, snapshot);
        return;
      }
    }
    const key = provisionKey(record);
    const deploying = await this.options.platform.deployingExecution();
    if (deploying !== undefined) {
      if (this.held.get(record.environmentSuffix)?.key !== key)
        logger.info(
          { environmentSuffix: record.environmentSuffix, pipelineExecutionId: deploying },
          'reconciler: provisioning waits for the pipeline execution that is deploying',
        );
      this.held.set(record.environmentSuffix, { key, retest: options.retest ?? false });
      return;
    }
    await this.options.platform.provision({ record, ...options });
    this.held.delete(record.environmentSuffix);
    this.provisioned.set(key, true);
  }

  private isHeld(record: EnvironmentRecord): boolean {
    return this.held.get(record.environmentSuffix)?.key === provisionKey(record);
  }

  /**
   * A deployed environment its execution never smoke-tested (another environment of the stage failed
   * first) gets one more run; if that run ends the same way, it is `failed`, with the reason, for a
   * person to retry (which allows one more again).
   */
  private async retestOrFail(
    record: EnvironmentRecord,
    snapshot: DeploymentSnapshot,
  ): Promise<DeploymentSnapshot> {
    // Any status: a ready environment a later run redeployed but did not test is unproven again, and a
    // failed one stays failed (its snapshot still says deploying) until a person retries.
    if (snapshot.untested === undefined || this.isHeld(record)) return snapshot;
    if (!this.retested.has(lifeKey(record))) {
      this.retested.set(lifeKey(record), true);
      logger.info(
        { environmentSuffix: record.environmentSuffix, reason: snapshot.untested },
        'reconciler: deployed but not smoke-tested; starting another run to test it',
      );
      await this.startRun(record, { retest: true });
      return snapshot;
    }
    return {
      ...snapshot,
      progress: { ...snapshot.progress, phase: 'failed' },
      failure: {
        logicalResourceId: 'Smoke',
        resourceType: 'AWS::CodePipeline::Action',
        reason: snapshot.untested,
      },
    };
  }

  /**
   * A `requested` entry is brought up by the reconciler, not by the request that registered it: after a
   * crash between the two, the entry is provisioned all the same. The seeded prod waits for its promotion.
   */
  private wantsProvisioning(record: EnvironmentRecord): boolean {
    if (this.isHeld(record)) return true;
    if (record.status !== 'requested' || this.provisioned.has(provisionKey(record))) return false;
    return !(record.spec.kind === 'prod' && record.requestedBy === SYSTEM_ACTOR);
  }

  /** One platform teardown step, and what it means for the registry and the audit log. */
  private async teardownStep(record: EnvironmentRecord): Promise<TeardownAdvance> {
    const { platform, registry } = this.options;
    const environmentSuffix = record.environmentSuffix;
    const step = await platform.teardown({ record, reason: record.statusReason ?? 'destroy requested' });
    if (step.outcome === 'in-progress') return { record, step };
    if (step.outcome === 'destroyed') {
      // The platform may have removed the entry itself (aws: `@sep/registry/teardown`, shared with the sweeper).
      const left = await registry.get(record);
      if (left !== undefined) {
        try {
          await registry.remove({ environmentSuffix, expectedVersion: left.version });
        } catch (error) {
          if (error instanceof VersionConflictError)
            return { record: left, step: { outcome: 'in-progress' } };
          throw error;
        }
      }
      // Another poll of this process may have seen it first.
      if (!this.removed.has(environmentSuffix)) {
        this.remember(record, undefined);
        await this.audit(environmentSuffix, 'success', {
          from: record.status,
          to: 'destroyed',
          registryEntry: 'removed',
          ...(step.pipelineExecutionId === undefined
            ? {}
            : { pipelineExecutionId: step.pipelineExecutionId }),
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
    await this.audit(environmentSuffix, 'failure', {
      from: record.status,
      to: 'failed',
      reason: failed.statusReason ?? step.reason,
    });
    return { record: failed, step };
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
        await this.audit(current.environmentSuffix, status === 'failed' ? 'failure' : 'success', {
          from: current.status,
          to: status,
          ...(statusReason === undefined ? {} : { reason: statusReason }),
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

  /**
   * An ephemeral environment whose first create rolled back (ROLLBACK_COMPLETE: its stack can only be
   * deleted) is recreated by the platform, up to `maxRecreations` times; one already being recreated
   * gets one more step per poll until its stack is gone and the entry is `requested` again.
   */
  private shouldRecreate(record: EnvironmentRecord, snapshot: DeploymentSnapshot): boolean {
    if (record.spec.kind !== 'ephemeral' || record.status !== 'failed') return false;
    if (record.statusReason?.startsWith(RECREATE_PREFIX)) return true;
    return snapshot.replaceable === true && (record.recreations ?? 0) < (this.options.maxRecreations ?? 1);
  }

  private async recreate(record: EnvironmentRecord, snapshot: DeploymentSnapshot): Promise<Observation> {
    const starting = !record.statusReason?.startsWith(RECREATE_PREFIX);
    await this.options.platform.recreate({ record });
    const after = (await this.options.registry.get(record)) ?? record;
    // The platform's recreate starts the run that deploys the entry it set back to `requested`.
    if (after.status === 'requested') this.provisioned.set(provisionKey(after), true);
    if (starting || after.status !== record.status) {
      await this.audit(record.environmentSuffix, 'success', {
        from: record.status,
        to: after.status,
        reason: after.statusReason ?? 'recreating a rolled-back stack',
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
              stackName: environmentStackName(environmentSuffix),
              progress: { phase: 'destroyed', resourcesDone: 0, resourcesTotal: 0, percent: 100 },
              events: [],
              timeline: [],
              outputs: [],
            },
    };
    this.removed.set(environmentSuffix, observation);
    return observation;
  }

  /** The last view of a removed environment, or 404 for a suffix this process never saw destroyed. */
  private removedObservation(environmentSuffix: string): Observation {
    const observation = this.removed.get(environmentSuffix);
    if (observation !== undefined) return observation;
    // Removed by someone else (the sweeper, another portal process): nothing is left to reconcile.
    throw notFound(`environment "${environmentSuffix}" does not exist`);
  }

  private async audit(
    environmentSuffix: string,
    outcome: 'success' | 'failure',
    details: Readonly<Record<string, string>>,
  ): Promise<void> {
    if (outcome === 'failure' && details.reason !== undefined)
      this.options.onFailure?.({ environmentSuffix, reason: details.reason });
    await this.options.audit.record({
      actor: SYSTEM_ACTOR,
      action: 'environment.status-changed',
      target: environmentSuffix,
      outcome,
      details,
    });
  }
}

/** One life of a suffix: from its request to its removal (a suffix requested again starts another). */
function lifeKey(record: EnvironmentRecord): string {
  return `${record.environmentSuffix}|${record.createdAt}`;
}

function provisionKey(record: EnvironmentRecord): string {
  return `${record.environmentSuffix}|${record.createdAt}|${record.version}`;
}

/** Nothing moves until someone acts; a `failed` entry whose rolled-back stack is being recreated still moves. */
export function settled(record: EnvironmentRecord): boolean {
  return isSettled(record.status) && record.statusReason?.startsWith(RECREATE_PREFIX) !== true;
}

function destroyingOrGone(status: EnvironmentStatus): boolean {
  return status === 'destroying' || status === 'destroyed';
}
