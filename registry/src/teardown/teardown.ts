import { CloudFormationClient, DeleteStackCommand } from '@aws-sdk/client-cloudformation';
import { ENVIRONMENT_TAG, STACK_NAME_PREFIX } from '../names';
import { EnvironmentNotFoundError, type EnvironmentRecord, type EnvironmentRegistry } from '../registry';
import { NotEphemeralError, TeardownRefusedError } from './errors';
import { TeardownPipelineRuns, tokenOf } from './pipeline-runs';
import {
  deleteFailures,
  deleteStartsSince,
  describeNamedStacks,
  describeStack,
  type EnvironmentStack,
  findEnvironmentStacks,
  refusalReason,
} from './stacks';
import type {
  DestroyOptions,
  EnvironmentTeardownOptions,
  StackOutcome,
  StackTarget,
  TeardownResult,
} from './teardown-types';

const SETTLING = /_IN_PROGRESS$/;

/** An environment in these statuses has a stack (the portal saw CloudFormation create it). */
const WAS_DEPLOYED: readonly EnvironmentRecord['status'][] = ['deploying', 'ready'];

/** Starts the status reason of an environment whose teardown failed (the sweeper leaves those to a human). */
export const TEARDOWN_FAILURE_PREFIX = 'teardown failed: ';

/** Starts the status reason of an environment whose rolled-back stack is being deleted to be created afresh. */
export const RECREATE_PREFIX = 'recreating: ';

/**
 * The destroy path of an ephemeral environment: CDK Pipelines never deletes the
 * stack of a stage that disappears, so the stacks are deleted here first, then
 * the registry entry goes, then a pipeline run lets self-mutation drop the stage.
 */
export class EnvironmentTeardown {
  private readonly registry: EnvironmentRegistry;
  private readonly cloudFormationFor: (target: StackTarget) => CloudFormationClient;
  private readonly pipeline: TeardownPipelineRuns | undefined;
  private readonly defaultAccount: string | undefined;
  private readonly stackNamePrefix: string;
  private readonly stackNamesOf: ((record: EnvironmentRecord) => readonly string[]) | undefined;
  private readonly initialDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly maxDeleteAttempts: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly clock: () => number;

  constructor(options: EnvironmentTeardownOptions) {
    this.registry = options.registry;
    const clients = new Map<string, CloudFormationClient>();
    this.cloudFormationFor =
      options.cloudFormationFor ??
      ((target) => {
        const existing = clients.get(target.region);
        if (existing !== undefined) return existing;
        const client = new CloudFormationClient({
          region: target.region,
          retryMode: 'adaptive',
          maxAttempts: 8,
        });
        clients.set(target.region, client);
        return client;
      });
    this.pipeline = options.pipeline === undefined ? undefined : new TeardownPipelineRuns(options.pipeline);
    this.defaultAccount = options.defaultAccount;
    this.stackNamePrefix = options.stackNamePrefix ?? STACK_NAME_PREFIX;
    this.stackNamesOf = options.stackNamesOf;
    this.initialDelayMs = options.backoff?.initialDelayMs ?? 2_000;
    this.maxDelayMs = options.backoff?.maxDelayMs ?? 30_000;
    this.maxDeleteAttempts = options.maxDeleteAttempts ?? 2;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.clock = options.clock ?? Date.now;
  }

  /**
   * @throws EnvironmentNotFoundError, NotEphemeralError, TeardownRefusedError (nothing changed),
   *   VersionConflictError (someone else changed the record meanwhile)
   */
  async destroy(options: DestroyOptions): Promise<TeardownResult> {
    const record = await this.requireEphemeral(options.environmentSuffix);
    const client = this.clientFor(record);
    const found = await this.deletableStacks(client, record);
    const base = { environmentSuffix: record.environmentSuffix, owner: record.spec.owner };
    if ('missing' in found) {
      // Deployed, yet not where the platform looks: deleting nothing and removing the entry would
      // leave the stack running with no record of it. A person has to find it.
      const reason = `${TEARDOWN_FAILURE_PREFIX}${found.missing}`;
      await this.registry.updateStatus({
        environmentSuffix: record.environmentSuffix,
        status: 'failed',
        statusReason: reason,
        expectedVersion: record.version,
      });
      return { ...base, stacks: [], outcome: 'failed', reason };
    }
    const stacks = found.stacks;

    // The claim remembers the stack it deletes (by ID: the stack stays describable as DELETE_COMPLETE),
    // so a resumed teardown finds the stack it deleted instead of "no stack by that name".
    const stackId = stacks[0]?.stackId;
    const claimed =
      record.status === 'destroying' && (stackId === undefined || record.stackId === stackId)
        ? record
        : await this.registry.updateStatus({
            environmentSuffix: record.environmentSuffix,
            status: 'destroying',
            statusReason:
              record.status === 'destroying' ? (record.statusReason ?? options.reason) : options.reason,
            expectedVersion: record.version,
            ...(stackId === undefined ? {} : { stackId }),
          });

    // Deletes started since the entry went `destroying` count as attempts, whoever made them.
    const since = new Date(claimed.updatedAt);
    if (stacks.some((stack) => stack.status !== 'DELETE_IN_PROGRESS' && stack.status !== 'DELETE_COMPLETE')) {
      const running = await this.pipeline?.startedBefore(since);
      if (running !== undefined) {
        return {
          ...base,
          stacks: [],
          outcome: 'in-progress',
          reason: `waiting for pipeline execution ${running} to finish: it started before the destroy, so it may have synthesized this environment and would recreate its stack after the delete`,
        };
      }
    }
    const outcomes = await this.deleteInOrder(client, stacks, options.deadline, since);

    const failed = outcomes.find((outcome) => outcome.outcome === 'failed');
    if (failed !== undefined) {
      const reason = `${TEARDOWN_FAILURE_PREFIX}delete of ${failed.stackName} failed: ${failed.detail ?? 'no detail'}`;
      await this.registry.updateStatus({
        environmentSuffix: record.environmentSuffix,
        status: 'failed',
        statusReason: reason,
        expectedVersion: claimed.version,
      });
      return { ...base, stacks: outcomes, outcome: 'failed', reason };
    }
    if (outcomes.some((outcome) => outcome.outcome === 'in-progress')) {
      return {
        ...base,
        stacks: outcomes,
        outcome: 'in-progress',
        reason: 'CloudFormation is still deleting; run again to resume',
      };
    }

    await this.registry.remove({
      environmentSuffix: record.environmentSuffix,
      expectedVersion: claimed.version,
    });
    const pipelineExecutionId = await this.pipeline?.dropStage(claimed, since);
    return {
      ...base,
      stacks: outcomes,
      outcome: 'destroyed',
      ...(pipelineExecutionId === undefined ? {} : { pipelineExecutionId }),
    };
  }

  /**
   * A stack left in ROLLBACK_COMPLETE (its first create failed) cannot be updated, only deleted: the
   * pipeline's deploy action fails on it every run. This deletes it and sets the entry back to
   * `requested`, so the next run creates it afresh. The entry stays `failed` (reason
   * `RECREATE_PREFIX…`, which the synth skips and the portal's reconciler leaves alone) while the stack
   * is deleted; with a `deadline` a later call resumes. A failed delete ends `teardown failed: …`.
   */
  async recreateRolledBack(options: {
    readonly environmentSuffix: string;
    readonly deadline?: number;
  }): Promise<{ readonly stacks: readonly StackOutcome[]; readonly pipelineExecutionId?: string }> {
    const record = await this.requireEphemeral(options.environmentSuffix);
    const client = this.clientFor(record);
    const found = await this.deletableStacks(client, record);
    if ('missing' in found) return { stacks: [] };
    const recreating =
      record.status === 'failed' && record.statusReason?.startsWith(RECREATE_PREFIX) === true;
    const stacks = found.stacks.filter(
      (stack) => stack.status === 'ROLLBACK_COMPLETE' || (recreating && stack.status.startsWith('DELETE_')),
    );
    if (!recreating && stacks.length === 0) return { stacks: [] };
    const recreations = recreating ? (record.recreations ?? 1) : (record.recreations ?? 0) + 1;
    const claimed = recreating
      ? record
      : await this.registry.updateStatus({
          environmentSuffix: record.environmentSuffix,
          status: 'failed',
          statusReason: `${RECREATE_PREFIX}deleting the rolled-back stack to create it afresh (automatic recreation ${recreations}); was: ${record.statusReason ?? 'failed'}`,
          expectedVersion: record.version,
          recreations,
        });
    const since = new Date(claimed.updatedAt);
    const outcomes = await this.deleteInOrder(client, stacks, options.deadline, since);
    const failed = outcomes.find((outcome) => outcome.outcome === 'failed');
    if (failed !== undefined) {
      await this.registry.updateStatus({
        environmentSuffix: record.environmentSuffix,
        status: 'failed',
        statusReason: `${TEARDOWN_FAILURE_PREFIX}delete of rolled-back ${failed.stackName} failed: ${failed.detail ?? 'no detail'}`,
        expectedVersion: claimed.version,
      });
      return { stacks: outcomes };
    }
    if (outcomes.some((outcome) => outcome.outcome === 'in-progress')) return { stacks: outcomes };
    const requested = await this.registry.updateStatus({
      environmentSuffix: record.environmentSuffix,
      status: 'requested',
      statusReason: `rolled-back stack deleted; redeploying (automatic recreation ${recreations})`,
      expectedVersion: claimed.version,
      stackId: null,
    });
    const pipelineExecutionId = await this.pipeline?.start(`${tokenOf(requested)}-recreate`);
    return { stacks: outcomes, ...(pipelineExecutionId === undefined ? {} : { pipelineExecutionId }) };
  }

  private async requireEphemeral(environmentSuffix: string): Promise<EnvironmentRecord> {
    const record = await this.registry.get({ environmentSuffix });
    if (record === undefined) throw new EnvironmentNotFoundError(environmentSuffix);
    if (record.spec.kind !== 'ephemeral') throw new NotEphemeralError(environmentSuffix, record.spec.kind);
    return record;
  }

  private clientFor(record: EnvironmentRecord): CloudFormationClient {
    return this.cloudFormationFor({
      region: record.spec.region,
      ...(record.spec.account === undefined ? {} : { account: record.spec.account }),
    });
  }

  /**
   * The environment's stacks, each proven ephemeral before any is deleted (all or nothing), or why a
   * stack that was deployed cannot be found: the stack the platform saw (the record's `stackId`) is
   * looked up by that ID, and an environment that reached `deploying` or `ready` has a stack.
   */
  private async deletableStacks(
    client: CloudFormationClient,
    record: EnvironmentRecord,
  ): Promise<{ readonly stacks: EnvironmentStack[] } | { readonly missing: string }> {
    const where = this.whereOf(record);
    const live = await this.liveStacks(client, record);
    if (record.stackId !== undefined && !live.some((stack) => stack.stackId === record.stackId)) {
      const known = await describeStack(client, record.stackId);
      if (known === undefined) {
        return {
          missing: `its stack ${record.stackId} is not found in ${where} with the platform's role there (another account or region, or a role that cannot see it): nothing was deleted and the entry is kept`,
        };
      }
      // DELETE_COMPLETE: deleted by an earlier step. Otherwise it still has to prove it is ephemeral.
      if (known.status !== 'DELETE_COMPLETE') {
        const why = refusalReason(known);
        if (why !== undefined) throw new TeardownRefusedError(record.environmentSuffix, known.stackName, why);
        live.push(known);
      }
    }
    if (live.length === 0 && record.stackId === undefined && WAS_DEPLOYED.includes(record.status)) {
      return {
        missing: `it is ${record.status} but no stack of it is found in ${where} (another account or region, or deleted outside the platform): nothing was deleted and the entry is kept`,
      };
    }
    return {
      stacks: live.sort((a, b) => (b.creationTime?.getTime() ?? 0) - (a.creationTime?.getTime() ?? 0)),
    };
  }

  /** `<account>/<region>` of the record's stacks, for messages. */
  private whereOf(record: EnvironmentRecord): string {
    return `${record.spec.account ?? this.defaultAccount ?? 'the default account'}/${record.spec.region}`;
  }

  /** The live stacks by name (or listing), each checked: tagged for this environment, ephemeral, unprotected. */
  private async liveStacks(
    client: CloudFormationClient,
    record: EnvironmentRecord,
  ): Promise<EnvironmentStack[]> {
    if (this.stackNamesOf !== undefined) {
      const named = await describeNamedStacks(client, this.stackNamesOf(record));
      for (const stack of named) {
        const why =
          stack.tags[ENVIRONMENT_TAG] === record.environmentSuffix
            ? refusalReason(stack)
            : `it is not tagged ${ENVIRONMENT_TAG}=${record.environmentSuffix} (tag is ${JSON.stringify(stack.tags[ENVIRONMENT_TAG] ?? null)})`;
        if (why !== undefined) throw new TeardownRefusedError(record.environmentSuffix, stack.stackName, why);
      }
      return named;
    }
    const stacks = await findEnvironmentStacks({
      client,
      environmentSuffix: record.environmentSuffix,
      stackNamePrefix: this.stackNamePrefix,
    });
    const checked: EnvironmentStack[] = [];
    for (const listed of stacks) {
      // The list call may omit termination protection; the single-stack describe has it.
      const stack = (await describeStack(client, listed.stackId)) ?? listed;
      const why = refusalReason(stack);
      if (why !== undefined) throw new TeardownRefusedError(record.environmentSuffix, stack.stackName, why);
      checked.push(stack);
    }
    return checked;
  }

  /** One at a time, newest first (a later stack may depend on an earlier one), stopping at the first not deleted. */
  private async deleteInOrder(
    client: CloudFormationClient,
    stacks: readonly EnvironmentStack[],
    deadline: number | undefined,
    since: Date,
  ): Promise<StackOutcome[]> {
    const outcomes: StackOutcome[] = [];
    for (const stack of stacks) {
      const outcome = await this.deleteStack(client, stack, deadline, since);
      outcomes.push(outcome);
      if (outcome.outcome !== 'deleted') break;
    }
    return outcomes;
  }

  private async deleteStack(
    client: CloudFormationClient,
    stack: EnvironmentStack,
    deadline: number | undefined,
    since: Date,
  ): Promise<StackOutcome> {
    const base = { stackName: stack.stackName, stackId: stack.stackId };
    let attempts = 0;
    let current: EnvironmentStack | undefined = stack;
    let delay = this.initialDelayMs;
    while (true) {
      if (current === undefined || current.status === 'DELETE_COMPLETE')
        return { ...base, outcome: 'deleted' };
      const settling = SETTLING.test(current.status);
      const deletable = !settling || current.status === 'REVIEW_IN_PROGRESS';
      // A resumed teardown (deadline, another process) must not restart the attempt count.
      if (current.status === 'DELETE_FAILED' && attempts < this.maxDeleteAttempts)
        attempts = Math.max(attempts, await deleteStartsSince(client, stack.stackId, since));
      if (current.status === 'DELETE_FAILED' && attempts >= this.maxDeleteAttempts) {
        const failures = await deleteFailures(client, stack.stackId);
        const detail = [current.statusReason, ...failures].filter(Boolean).join('; ');
        return { ...base, outcome: 'failed', detail };
      }
      // An update or rollback in flight must finish first; DELETE_IN_PROGRESS just needs waiting.
      if (deletable) {
        attempts += 1;
        // By stack ID, never by name: a stack recreated under the same name is not ours to delete.
        await client.send(new DeleteStackCommand({ StackName: stack.stackId }));
      }
      do {
        if (deadline !== undefined && this.clock() + delay > deadline) {
          return { ...base, outcome: 'in-progress', detail: `last status ${current.status}` };
        }
        await this.sleep(delay);
        delay = Math.min(delay * 2, this.maxDelayMs);
        current = await describeStack(client, stack.stackId);
      } while (
        current !== undefined &&
        SETTLING.test(current.status) &&
        current.status !== 'REVIEW_IN_PROGRESS'
      );
    }
  }
}
