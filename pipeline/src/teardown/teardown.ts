import { CloudFormationClient, DeleteStackCommand } from '@aws-sdk/client-cloudformation';
import { CodePipelineClient, StartPipelineExecutionCommand } from '@aws-sdk/client-codepipeline';
import { ENVIRONMENT_TAG, STACK_NAME_PREFIX } from '../names';
import { EnvironmentNotFoundError, type EnvironmentRecord, type EnvironmentRegistry } from '../registry';
import { NotEphemeralError, TeardownRefusedError } from './errors';
import {
  deleteFailures,
  deleteStartsSince,
  describeNamedStacks,
  describeStack,
  type EnvironmentStack,
  findEnvironmentStacks,
  refusalReason,
} from './stacks';

/** Where an environment's stacks live; a factory may return a client with assumed-role credentials. */
export interface StackTarget {
  readonly region: string;
  readonly account?: string;
}

export interface BackoffOptions {
  /** First wait between status polls. @default 2000 (the CDK CLI's poll interval) */
  readonly initialDelayMs?: number;
  /** Cap of the doubling wait. @default 30000 */
  readonly maxDelayMs?: number;
}

export interface EnvironmentTeardownOptions {
  readonly registry: EnvironmentRegistry;
  /** @default a CloudFormationClient for the target's region with the default credential chain */
  readonly cloudFormationFor?: (target: StackTarget) => CloudFormationClient;
  /** Starts the pipeline after a teardown so self-mutation drops the environment's stage. @default no restart */
  readonly pipeline?: {
    readonly pipelineName: string;
    /** @default a CodePipelineClient with the default region and credential chain */
    readonly client?: CodePipelineClient;
  };
  /** @default STACK_NAME_PREFIX ('sep-') */
  readonly stackNamePrefix?: string;
  /**
   * The environment's stack names when the caller knows them: each is described by name (and must be
   * tagged `Environment=<suffix>`) instead of listing every stack in the account, so a caller that
   * resumes often (the portal, on every poll) costs one DescribeStacks per stack and needs neither
   * `ListStacks` nor `DescribeStacks` on `*`.
   * @default list the account's stacks: name `<stackNamePrefix><suffix>-…` and tag `Environment=<suffix>`
   */
  readonly stackNamesOf?: (record: EnvironmentRecord) => readonly string[];
  readonly backoff?: BackoffOptions;
  /** DeleteStack calls per stack before a DELETE_FAILED is final. @default 2 */
  readonly maxDeleteAttempts?: number;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** @default Date.now */
  readonly clock?: () => number;
}

export interface DestroyOptions {
  readonly environmentSuffix: string;
  /** Recorded as the status reason, e.g. `destroyed by alice` or `TTL expired`. */
  readonly reason: string;
  /**
   * Epoch ms after which the teardown stops waiting and reports `in-progress`
   * (the environment stays `destroying`; calling destroy again resumes).
   * @default wait until CloudFormation finishes
   */
  readonly deadline?: number;
}

export interface StackOutcome {
  readonly stackName: string;
  readonly stackId: string;
  readonly outcome: 'deleted' | 'in-progress' | 'failed';
  readonly detail?: string;
}

export interface TeardownResult {
  readonly environmentSuffix: string;
  /** destroyed: stacks gone and registry entry removed; in-progress: resumable; failed: status `failed`. */
  readonly outcome: 'destroyed' | 'in-progress' | 'failed';
  readonly stacks: readonly StackOutcome[];
  /** The owner to tell (spec.owner). */
  readonly owner: string;
  readonly reason?: string;
  readonly pipelineExecutionId?: string;
}

const SETTLING = /_IN_PROGRESS$/;

/** Starts the status reason of an environment whose teardown failed (the sweeper leaves those to a human). */
export const TEARDOWN_FAILURE_PREFIX = 'teardown failed: ';

/**
 * The destroy path of an ephemeral environment: CDK Pipelines never deletes the
 * stack of a stage that disappears, so the stacks are deleted here first, then
 * the registry entry goes, then a pipeline run lets self-mutation drop the stage.
 */
export class EnvironmentTeardown {
  private readonly registry: EnvironmentRegistry;
  private readonly cloudFormationFor: (target: StackTarget) => CloudFormationClient;
  private readonly pipeline:
    | { readonly pipelineName: string; readonly client: CodePipelineClient }
    | undefined;
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
    this.pipeline =
      options.pipeline === undefined
        ? undefined
        : {
            pipelineName: options.pipeline.pipelineName,
            client:
              options.pipeline.client ?? new CodePipelineClient({ retryMode: 'adaptive', maxAttempts: 8 }),
          };
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
    const stacks = await this.deletableStacks(client, record);

    const claimed =
      record.status === 'destroying'
        ? record
        : await this.registry.updateStatus({
            environmentSuffix: record.environmentSuffix,
            status: 'destroying',
            statusReason: options.reason,
            expectedVersion: record.version,
          });

    // Deletes started since the entry went `destroying` count as attempts, whoever made them.
    const since = new Date(claimed.updatedAt);
    const outcomes: StackOutcome[] = [];
    // One at a time, newest first: a later stack may depend on an earlier one.
    for (const stack of stacks) {
      const outcome = await this.deleteStack(client, stack, options.deadline, since);
      outcomes.push(outcome);
      if (outcome.outcome !== 'deleted') break;
    }
    const base = { environmentSuffix: record.environmentSuffix, stacks: outcomes, owner: record.spec.owner };

    const failed = outcomes.find((outcome) => outcome.outcome === 'failed');
    if (failed !== undefined) {
      const reason = `${TEARDOWN_FAILURE_PREFIX}delete of ${failed.stackName} failed: ${failed.detail ?? 'no detail'}`;
      await this.registry.updateStatus({
        environmentSuffix: record.environmentSuffix,
        status: 'failed',
        statusReason: reason,
        expectedVersion: claimed.version,
      });
      return { ...base, outcome: 'failed', reason };
    }
    if (outcomes.some((outcome) => outcome.outcome === 'in-progress')) {
      return {
        ...base,
        outcome: 'in-progress',
        reason: 'CloudFormation is still deleting; run again to resume',
      };
    }

    await this.registry.remove({
      environmentSuffix: record.environmentSuffix,
      expectedVersion: claimed.version,
    });
    // Idempotent per teardown: two callers finishing the same one (portal and sweeper) start one run.
    const pipelineExecutionId = await this.startPipeline(`${tokenOf(claimed)}-teardown`);
    return {
      ...base,
      outcome: 'destroyed',
      ...(pipelineExecutionId === undefined ? {} : { pipelineExecutionId }),
    };
  }

  /**
   * A stack left in ROLLBACK_COMPLETE (its first deploy failed) cannot be
   * updated, only deleted; this deletes it, keeps the registry entry and
   * restarts the pipeline so the next run creates the stack afresh.
   */
  async recreateRolledBack(options: { readonly environmentSuffix: string; readonly deadline?: number }) {
    const record = await this.requireEphemeral(options.environmentSuffix);
    const client = this.clientFor(record);
    const stacks = (await this.deletableStacks(client, record)).filter(
      (stack) => stack.status === 'ROLLBACK_COMPLETE',
    );
    const outcomes: StackOutcome[] = [];
    const since = new Date(record.updatedAt);
    for (const stack of stacks) outcomes.push(await this.deleteStack(client, stack, options.deadline, since));
    const done = outcomes.every((outcome) => outcome.outcome === 'deleted');
    if (done && outcomes.length > 0) {
      await this.registry.updateStatus({
        environmentSuffix: record.environmentSuffix,
        status: 'requested',
        statusReason: 'rolled-back stack deleted; redeploying',
      });
    }
    const pipelineExecutionId =
      done && outcomes.length > 0 ? await this.startPipeline(`${tokenOf(record)}-recreate`) : undefined;
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

  /** Every stack must prove it is ephemeral before any is deleted: all or nothing. */
  private async deletableStacks(client: CloudFormationClient, record: EnvironmentRecord) {
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

  private async startPipeline(clientRequestToken: string): Promise<string | undefined> {
    if (this.pipeline === undefined) return undefined;
    const result = await this.pipeline.client.send(
      new StartPipelineExecutionCommand({ name: this.pipeline.pipelineName, clientRequestToken }),
    );
    return result.pipelineExecutionId;
  }
}

/**
 * Unique per registry write of one life of a suffix (a removed suffix can be registered again and
 * starts at version 1): `[a-zA-Z0-9-]`, as CodePipeline's idempotency token requires.
 */
function tokenOf(record: EnvironmentRecord): string {
  return `${record.environmentSuffix}-${Date.parse(record.createdAt)}-v${record.version}`;
}
