// What CloudFormation and CodePipeline answers mean for an environment's deployment view: pure
// functions and tables, shared by the aws deployment service's describe.

import type { Stack, StackEvent } from '@aws-sdk/client-cloudformation';
import type { ActionState } from '@aws-sdk/client-codepipeline';
import type {
  DeploymentEvent,
  DeploymentFailure,
  DeploymentPhase,
  ResourceTimelineEntry,
} from '../../domain/types';

/** Events the detail shows (newest of the current operation). */
export const MAX_EVENTS = 200;
/** Pages of stack events read for one operation (100 each): far above the 3-4 events per resource of the largest stage. */
export const MAX_EVENT_PAGES = 30;
export const PHASE_BY_STACK_STATUS: Readonly<Record<string, DeploymentPhase>> = {
  CREATE_IN_PROGRESS: 'deploying',
  UPDATE_IN_PROGRESS: 'deploying',
  UPDATE_COMPLETE_CLEANUP_IN_PROGRESS: 'deploying',
  REVIEW_IN_PROGRESS: 'deploying',
  IMPORT_IN_PROGRESS: 'deploying',
  CREATE_COMPLETE: 'complete',
  UPDATE_COMPLETE: 'complete',
  IMPORT_COMPLETE: 'complete',
  ROLLBACK_IN_PROGRESS: 'rolling-back',
  UPDATE_ROLLBACK_IN_PROGRESS: 'rolling-back',
  UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS: 'rolling-back',
  IMPORT_ROLLBACK_IN_PROGRESS: 'rolling-back',
  ROLLBACK_COMPLETE: 'failed',
  ROLLBACK_FAILED: 'failed',
  CREATE_FAILED: 'failed',
  UPDATE_FAILED: 'failed',
  UPDATE_ROLLBACK_FAILED: 'failed',
  // The update failed and was rolled back: the previous version still runs (its outputs are shown,
  // with OUTPUTS_OF_PREVIOUS_VERSION).
  UPDATE_ROLLBACK_COMPLETE: 'failed',
  IMPORT_ROLLBACK_COMPLETE: 'failed',
  IMPORT_ROLLBACK_FAILED: 'failed',
  DELETE_IN_PROGRESS: 'destroying',
  DELETE_FAILED: 'failed',
  DELETE_COMPLETE: 'destroyed',
};

/** Stages of a CDK Pipelines execution before any environment stack is touched, and what failing there means. */
export const PREPARING_STAGES: Readonly<Record<string, string>> = {
  Source: 'the source could not be fetched',
  Build: 'synth failed',
  UpdatePipeline: 'self-mutation failed',
  Assets: 'asset publishing failed',
};

/** Stack statuses whose outputs still describe a working stack (after a rolled-back update: the previous version). */
export const OUTPUT_STATUSES = new Set([
  'CREATE_COMPLETE',
  'UPDATE_COMPLETE',
  'IMPORT_COMPLETE',
  'UPDATE_ROLLBACK_COMPLETE',
]);

export const OUTPUTS_OF_PREVIOUS_VERSION =
  'the last update failed and was rolled back: these are the outputs of the previous version, which still runs';

/** What the pipeline says about one environment: its deploy and smoke actions, and the preparing stages. */
export interface EnvironmentActions {
  readonly deploy?: LocatedAction;
  readonly smoke?: LocatedAction;
  /** The actions of the preparing stages (Source, Build, UpdatePipeline, Assets) of the environment's pipeline. */
  readonly preparing: readonly LocatedAction[];
  /** A preparing stage is running: the pipeline is on its way to the environment's stage. */
  readonly preparingInProgress: boolean;
}

export interface LocatedAction {
  readonly stageName: string;
  /** The stage's latest execution status (a failed sibling stops the actions after it). */
  readonly stageStatus?: string;
  readonly state: ActionState;
}

export function isStackMissing(error: unknown): boolean {
  return error instanceof Error && error.name === 'ValidationError' && /does not exist/.test(error.message);
}

export function toEvent(event: StackEvent): DeploymentEvent {
  return {
    eventId: event.EventId ?? `${event.LogicalResourceId}-${event.Timestamp?.toISOString()}`,
    stackName: event.StackName ?? '',
    timestamp: (event.Timestamp ?? new Date(0)).toISOString(),
    logicalResourceId: event.LogicalResourceId ?? '',
    ...(event.PhysicalResourceId ? { physicalResourceId: event.PhysicalResourceId } : {}),
    resourceType: event.ResourceType ?? '',
    resourceStatus: event.ResourceStatus ?? '',
    ...(event.ResourceStatusReason ? { resourceStatusReason: event.ResourceStatusReason } : {}),
  };
}

/** The stack-level event that starts a user-initiated operation (create, update, delete). */
export function isOperationStart(event: StackEvent, stack: Stack): boolean {
  return (
    event.ResourceType === 'AWS::CloudFormation::Stack' &&
    event.LogicalResourceId === stack.StackName &&
    (event.ResourceStatus ?? '').endsWith('_IN_PROGRESS') &&
    event.ResourceStatusReason === 'User Initiated'
  );
}

/** A pipeline action's failure, in the shape of a stack failure, with CodePipeline's reason. */
export function actionFailure(located: LocatedAction, what: string): DeploymentFailure {
  const latest = located.state.latestExecution;
  const reason = latest?.errorDetails?.message ?? latest?.summary ?? 'no reason given';
  return {
    logicalResourceId: `${located.stageName}/${located.state.actionName ?? ''}`,
    resourceType: 'AWS::CodePipeline::Action',
    reason: `${what}: ${reason}`,
  };
}

/** The root cause: the first FAILED resource event that is not a cancellation. */
export function firstFailure(
  events: readonly DeploymentEvent[],
  stack: Stack,
): DeploymentFailure | undefined {
  const failed = events.find(
    (e) =>
      e.resourceStatus.endsWith('_FAILED') &&
      e.resourceType !== 'AWS::CloudFormation::Stack' &&
      !/cancelled/i.test(e.resourceStatusReason ?? ''),
  );
  if (failed !== undefined) {
    return {
      logicalResourceId: failed.logicalResourceId,
      resourceType: failed.resourceType,
      reason: failed.resourceStatusReason ?? failed.resourceStatus,
    };
  }
  return {
    logicalResourceId: stack.StackName ?? '',
    resourceType: 'AWS::CloudFormation::Stack',
    reason: stack.StackStatusReason ?? stack.StackStatus ?? 'the stack failed',
  };
}

export function timelineOf(events: readonly DeploymentEvent[], stackName: string): ResourceTimelineEntry[] {
  const entries = new Map<string, ResourceTimelineEntry>();
  for (const event of events) {
    if (event.logicalResourceId === stackName) continue;
    const existing = entries.get(event.logicalResourceId);
    if (event.resourceStatus.endsWith('_IN_PROGRESS')) {
      if (existing === undefined) {
        entries.set(event.logicalResourceId, {
          logicalResourceId: event.logicalResourceId,
          resourceType: event.resourceType,
          startedAt: event.timestamp,
          status: 'in-progress',
        });
      }
    } else if (existing !== undefined) {
      const failed = event.resourceStatus.endsWith('_FAILED');
      entries.set(event.logicalResourceId, {
        ...existing,
        finishedAt: event.timestamp,
        status: failed
          ? /cancelled/i.test(event.resourceStatusReason ?? '')
            ? 'cancelled'
            : 'failed'
          : 'complete',
      });
    }
  }
  return [...entries.values()];
}
