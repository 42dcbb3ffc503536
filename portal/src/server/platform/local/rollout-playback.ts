import type { DeploymentEvent, DeploymentPhase, ResourceTimelineEntry } from '../../domain/types';
import { isoTimestamp } from './iso-time';
import type { Rollout } from './rollout';
import { STACK_RESOURCE_TYPE } from './template';

/*
 * Playback of a planned stack operation: what CloudFormation's DescribeStackEvents and the stack's
 * status show `now` into it. A pure function of the rollout and the clock, so a restart replays the
 * same events.
 */

export interface Playback {
  readonly phase: DeploymentPhase;
  readonly resourcesDone: number;
  readonly resourcesTotal: number;
  readonly events: DeploymentEvent[];
  readonly timeline: ResourceTimelineEntry[];
  readonly finished: boolean;
  /** The stack holds resources after this operation (create/update succeeded). */
  readonly succeeded: boolean;
}

interface PendingEvent {
  /** Epoch millisecond shown in the timestamp (the sort key). */
  readonly at: number;
  /** Offset in the rollout (part of the event id). */
  readonly ms: number;
  readonly logicalResourceId: string;
  readonly resourceType: string;
  readonly resourceStatus: string;
  readonly extra: { physicalResourceId?: string; resourceStatusReason?: string };
}

/** What the stack looks like `now` into the rollout: events (the newest `maxEvents`), timeline, progress. */
export function playRollout(
  rollout: Rollout,
  stackName: string,
  now: Date,
  options: { readonly maxEvents?: number } = {},
): Playback {
  const origin = Date.parse(rollout.startedAt);
  const elapsed = Math.min(now.getTime() - origin, rollout.interruptedAtMs ?? Number.POSITIVE_INFINITY);
  // Events are collected bare and only the newest `maxEvents` become objects with formatted timestamps:
  // detail reads of finished environments would otherwise format every event of the whole rollout.
  const pending: PendingEvent[] = [];
  const iso = (ms: number) => isoTimestamp(origin + ms);
  const event = (
    ms: number,
    logicalResourceId: string,
    resourceType: string,
    resourceStatus: string,
    extra: { physicalResourceId?: string; resourceStatusReason?: string } = {},
  ) => {
    if (ms > elapsed) return;
    pending.push({ at: Math.floor(origin + ms), ms, logicalResourceId, resourceType, resourceStatus, extra });
  };
  const verb =
    rollout.operation === 'delete' ? 'DELETE' : rollout.operation === 'update' ? 'UPDATE' : 'CREATE';
  event(0, stackName, STACK_RESOURCE_TYPE, `${verb}_IN_PROGRESS`, { resourceStatusReason: 'User Initiated' });
  const timeline: ResourceTimelineEntry[] = [];
  for (const r of rollout.resources) {
    if (r.outcome === 'not-started' || r.startMs > elapsed) continue;
    const initiatedMs = Math.min(r.startMs + (r.endMs - r.startMs) / 3, r.endMs);
    event(r.startMs, r.logicalId, r.type, `${verb}_IN_PROGRESS`);
    if (verb === 'CREATE') {
      event(initiatedMs, r.logicalId, r.type, 'CREATE_IN_PROGRESS', {
        physicalResourceId: r.physicalId,
        resourceStatusReason: 'Resource creation Initiated',
      });
    }
    const finished = r.endMs <= elapsed;
    if (finished) {
      const status = r.outcome === 'complete' ? `${verb}_COMPLETE` : `${verb}_FAILED`;
      event(r.endMs, r.logicalId, r.type, status, {
        physicalResourceId: r.physicalId,
        ...(r.reason === undefined ? {} : { resourceStatusReason: r.reason }),
      });
    }
    timeline.push({
      logicalResourceId: r.logicalId,
      resourceType: r.type,
      startedAt: iso(r.startMs),
      ...(finished ? { finishedAt: iso(r.endMs) } : {}),
      status: !finished
        ? 'in-progress'
        : r.outcome === 'complete'
          ? 'complete'
          : r.outcome === 'failed'
            ? 'failed'
            : 'cancelled',
    });
  }
  const failure = rollout.failure;
  const failed = failure !== undefined && failure.atMs <= elapsed;
  if (failure !== undefined) {
    const failedIds = rollout.resources.filter((r) => r.outcome === 'failed').map((r) => r.logicalId);
    event(failure.atMs + 1, stackName, STACK_RESOURCE_TYPE, 'ROLLBACK_IN_PROGRESS', {
      resourceStatusReason: `The following resource(s) failed to create: [${failedIds.join(', ')}]. Rollback requested by user.`,
    });
    for (const r of rollout.rollback ?? []) {
      if (r.startMs > elapsed) continue;
      event(r.startMs, r.logicalId, r.type, 'DELETE_IN_PROGRESS', { physicalResourceId: r.physicalId });
      event(r.endMs, r.logicalId, r.type, 'DELETE_COMPLETE', { physicalResourceId: r.physicalId });
    }
  }
  const finished = elapsed >= rollout.endMs;
  if (finished) {
    if (failure !== undefined) event(rollout.endMs, stackName, STACK_RESOURCE_TYPE, 'ROLLBACK_COMPLETE');
    else if (verb === 'UPDATE') {
      event(rollout.endMs - 1, stackName, STACK_RESOURCE_TYPE, 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS');
      event(rollout.endMs, stackName, STACK_RESOURCE_TYPE, 'UPDATE_COMPLETE');
    } else event(rollout.endMs, stackName, STACK_RESOURCE_TYPE, `${verb}_COMPLETE`);
  }
  // Stable sort by the millisecond the timestamp shows: same-millisecond events keep their causal order.
  pending.sort((a, b) => a.at - b.at);
  const events: DeploymentEvent[] = pending
    .slice(options.maxEvents === undefined ? 0 : -options.maxEvents)
    .map((e) => ({
      eventId: `${e.logicalResourceId}-${e.resourceStatus}-${Math.round(e.ms)}`,
      stackName,
      timestamp: isoTimestamp(e.at),
      logicalResourceId: e.logicalResourceId,
      resourceType: e.resourceType,
      resourceStatus: e.resourceStatus,
      ...e.extra,
    }));

  const counted = rollout.resources.filter(
    (r) => r.outcome !== 'not-started' || rollout.operation !== 'delete',
  );
  const resourcesTotal = rollout.operation === 'delete' ? rollout.resources.length : counted.length;
  const resourcesDone = rollout.resources.filter(
    (r) => r.outcome === 'complete' && r.endMs <= elapsed,
  ).length;
  let phase: DeploymentPhase;
  if (rollout.operation === 'delete') phase = finished ? 'destroyed' : 'destroying';
  else if (failed) phase = finished ? 'failed' : 'rolling-back';
  else phase = finished ? 'complete' : 'deploying';
  return {
    phase,
    resourcesDone,
    resourcesTotal,
    events,
    timeline,
    finished,
    succeeded: finished && !failed && rollout.operation !== 'delete',
  };
}

/** How far ahead of the clock a held resource's start is kept (it never starts while held). */
const HOLD_LEAD_MS = 10_000;

/**
 * The create `rollout` with the first resource of `type` (and everything planned to start with or after
 * it) moved later, so that it has not started at `now`; `undefined` when nothing needs to move.
 * Resources already running are left alone, so the events already shown never change.
 */
export function holdBefore(rollout: Rollout, type: string, now: Date): Rollout | undefined {
  if (rollout.operation !== 'create' || rollout.interruptedAtMs !== undefined) return undefined;
  const first = rollout.resources
    .filter((resource) => resource.type === type && resource.outcome !== 'not-started')
    .sort((a, b) => a.startMs - b.startMs)[0];
  if (first === undefined) return undefined;
  const elapsed = now.getTime() - Date.parse(rollout.startedAt);
  if (first.startMs <= elapsed || first.startMs >= elapsed + HOLD_LEAD_MS / 2) return undefined;
  const from = first.startMs;
  const shift = elapsed + HOLD_LEAD_MS - from;
  const later = <T extends { startMs: number; endMs: number }>(item: T): T =>
    item.startMs >= from ? { ...item, startMs: item.startMs + shift, endMs: item.endMs + shift } : item;
  return {
    ...rollout,
    resources: rollout.resources.map(later),
    endMs: rollout.endMs + shift,
    ...(rollout.failure === undefined
      ? {}
      : {
          failure: {
            ...rollout.failure,
            atMs: rollout.failure.atMs >= from ? rollout.failure.atMs + shift : rollout.failure.atMs,
          },
        }),
    ...(rollout.rollback === undefined ? {} : { rollback: rollout.rollback.map(later) }),
  };
}
