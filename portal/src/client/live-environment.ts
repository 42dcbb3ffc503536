import type {
  DeploymentEvent,
  EnvironmentDetail,
  EnvironmentStatus,
  ResourceTimelineEntry,
  StreamMessage,
} from '../server/domain/types';
import { streamMessageSchema } from '../server/domain/view-schemas';

/** The events the detail view keeps (the server sends at most the latest 200 too). */
export const MAX_EVENTS = 200;

/** Statuses after which nothing changes without a new user action; the live stream is closed. */
export function isTerminalStatus(status: EnvironmentStatus): boolean {
  return status === 'ready' || status === 'failed' || status === 'destroyed';
}

/** Statuses in which the platform is still working. */
export function isInFlightStatus(status: EnvironmentStatus): boolean {
  return (
    status === 'requested' || status === 'synthesizing' || status === 'deploying' || status === 'destroying'
  );
}

/** Appends events not seen before (by `eventId`), oldest first, keeping the newest {@link MAX_EVENTS}. */
export function mergeEvents(
  current: readonly DeploymentEvent[],
  incoming: readonly DeploymentEvent[],
): readonly DeploymentEvent[] {
  const seen = new Set(current.map((event) => event.eventId));
  const fresh = incoming.filter((event) => !seen.has(event.eventId));
  if (fresh.length === 0) return current;
  const merged = [...current, ...fresh].sort((a, b) => Date.parse(a.timestamp) - Date.parse(b.timestamp));
  return merged.length > MAX_EVENTS ? merged.slice(merged.length - MAX_EVENTS) : merged;
}

/**
 * Applies one server-sent message to the detail view. `snapshot` replaces
 * status and progress; `events` adds stack events; `error` changes nothing
 * (the server retries its upstream poll and the page shows the notice).
 */
export function applyStreamMessage(detail: EnvironmentDetail, message: StreamMessage): EnvironmentDetail {
  switch (message.type) {
    case 'snapshot':
      return {
        ...detail,
        status: message.status,
        statusReason: message.statusReason,
        progress: message.progress,
        failure: message.failure,
      };
    case 'events': {
      const events = mergeEvents(detail.events, message.events);
      return events === detail.events
        ? detail
        : { ...detail, events, timeline: mergeTimeline(detail.timeline, message.events) };
    }
    case 'error':
      return detail;
  }
}

function timelineStatus(resourceStatus: string): ResourceTimelineEntry['status'] | undefined {
  if (resourceStatus.endsWith('_IN_PROGRESS')) return 'in-progress';
  if (resourceStatus.endsWith('_FAILED')) return 'failed';
  if (resourceStatus.endsWith('_SKIPPED')) return 'cancelled';
  if (resourceStatus.endsWith('_COMPLETE')) return 'complete';
  return undefined;
}

/**
 * Extends the server's per-resource timeline with stack events that arrived
 * over the live stream, so the chart grows while the deployment runs. The
 * stack's own events are not resources and are skipped.
 */
export function mergeTimeline(
  timeline: readonly ResourceTimelineEntry[],
  events: readonly DeploymentEvent[],
): readonly ResourceTimelineEntry[] {
  const entries = new Map(timeline.map((entry) => [entry.logicalResourceId, entry]));
  const ordered = [...events].sort((a, b) => Date.parse(a.timestamp) - Date.parse(b.timestamp));
  for (const event of ordered) {
    if (event.resourceType === 'AWS::CloudFormation::Stack') continue;
    const status = timelineStatus(event.resourceStatus);
    if (status === undefined) continue;
    const existing = entries.get(event.logicalResourceId);
    if (status === 'in-progress') {
      // A resource starts once; a later IN_PROGRESS (e.g. UPDATE after CREATE) keeps the first start.
      if (existing === undefined) {
        entries.set(event.logicalResourceId, {
          logicalResourceId: event.logicalResourceId,
          resourceType: event.resourceType,
          startedAt: event.timestamp,
          status,
        });
      }
      continue;
    }
    entries.set(event.logicalResourceId, {
      logicalResourceId: event.logicalResourceId,
      resourceType: event.resourceType,
      startedAt: existing?.startedAt ?? event.timestamp,
      finishedAt: event.timestamp,
      status,
    });
  }
  return [...entries.values()].sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
}

/** Parses one SSE `data:` payload; anything that is not a stream message (by its published schema) is ignored. */
export function parseStreamMessage(data: string): StreamMessage | undefined {
  try {
    const parsed = streamMessageSchema.safeParse(JSON.parse(data));
    if (parsed.success) return parsed.data;
  } catch {
    // A malformed frame is dropped; the next snapshot corrects the view.
  }
  return undefined;
}
