import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import type { EnvironmentRecord, EnvironmentRegistry } from '../registry';

// What a teardown is given and what it answers (the workflow is in teardown.ts).

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
  /**
   * The environments pipeline. After a teardown it is started so self-mutation drops the environment's
   * stage; before the delete, an execution of it that started before the destroy (and so may have
   * synthesized the environment) is waited for, so it cannot recreate the stack behind the teardown.
   * @default no restart, no wait
   */
  readonly pipeline?: {
    readonly pipelineName: string;
    /** @default a CodePipelineClient with the default region and credential chain */
    readonly client?: CodePipelineClient;
  };
  /** The account of environments whose spec names none (the pipeline's), for messages and checks. */
  readonly defaultAccount?: string;
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
