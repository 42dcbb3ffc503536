import type { DeploymentSnapshot } from '../port';
import type { Rollout } from './rollout';
import type { Playback } from './rollout-playback';

/* The records of local mode's CloudFormation: a stack, its operations, and what a deploy call gets. */

/** Where a stack lives: CloudFormation names are unique per account and region. */
export interface StackAddress {
  readonly account: string;
  readonly region: string;
  readonly stackName: string;
}

/** One stack operation and the template it deployed (content-addressed under `templates/`). */
export interface StackOperation {
  readonly rollout: Rollout;
  /** The caller's idempotency token (CloudFormation's ClientRequestToken): a retried call gets this operation back. */
  readonly clientRequestToken?: string;
  /** The template the operation deploys (absent for a delete). */
  readonly templateHash?: string;
}

export interface LocalStackRecord extends StackAddress {
  readonly stackId: string;
  /** The environment the stack belongs to: the seed of its resources' physical names. */
  readonly environmentSuffix?: string;
  /** Newest last; bounded. */
  readonly operations: readonly StackOperation[];
}

/** What a CREATE_UPDATE action asked of CloudFormation got. */
export type DeployOutcome =
  | { readonly outcome: 'started'; readonly operation: StackOperation }
  /** "No updates are to be performed": the stack keeps its status, the action succeeds. */
  | { readonly outcome: 'no-change' }
  /** CloudFormation refused the call (a stack in ROLLBACK_COMPLETE, an operation in progress). */
  | { readonly outcome: 'refused'; readonly reason: string };

/** The CloudFormation status a stack shows after `playback` of its newest operation. */
export function stackStatus(rollout: Rollout, playback: Playback): string {
  if (rollout.operation === 'delete') return playback.finished ? 'DELETE_COMPLETE' : 'DELETE_IN_PROGRESS';
  const verb = rollout.operation === 'create' ? 'CREATE' : 'UPDATE';
  if (playback.phase === 'rolling-back')
    return rollout.operation === 'create' ? 'ROLLBACK_IN_PROGRESS' : 'UPDATE_ROLLBACK_IN_PROGRESS';
  if (playback.phase === 'failed')
    return rollout.operation === 'create' ? 'ROLLBACK_COMPLETE' : 'UPDATE_ROLLBACK_COMPLETE';
  return playback.finished ? `${verb}_COMPLETE` : `${verb}_IN_PROGRESS`;
}

/** A stack as DescribeStacks and DescribeStackEvents show it, with the playback it comes from. */
export interface StackView {
  /** What an environment's snapshot shows of its stack (everything but the progress). */
  readonly shown: Omit<DeploymentSnapshot, 'progress'>;
  readonly playback: Playback;
  /** CloudFormation's stack status (CREATE_IN_PROGRESS, ROLLBACK_COMPLETE, …). */
  readonly status: string;
  readonly operation: StackOperation;
}

/** One stack's state file cannot be read: that environment fails with this reason, no other. */
export class CorruptStackStateError extends Error {
  override readonly name = 'CorruptStackStateError';
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(
      `the local state of this stack (${file}) cannot be read (${detail}); destroy the environment to start afresh`,
    );
  }
}
