import type { ResourceTimelineEntry } from '../server/domain/types';

/** One bar of the Gantt-like deployment chart, in seconds from the first resource's start. */
export interface TimelineBar {
  readonly logicalResourceId: string;
  readonly resourceType: string;
  /** Seconds from the deployment's first resource start to this resource's start. */
  readonly offsetSeconds: number;
  /** Seconds the resource took (so far, while in progress). */
  readonly durationSeconds: number;
  readonly status: ResourceTimelineEntry['status'];
}

const round1 = (value: number) => Math.round(value * 10) / 10;

/**
 * Turns the per-resource timeline into chart bars, in start order. A resource
 * still in progress is drawn up to `now` so the chart grows live.
 */
export function toTimelineBars(options: {
  readonly timeline: readonly ResourceTimelineEntry[];
  readonly now: number;
}): TimelineBar[] {
  if (options.timeline.length === 0) return [];
  const starts = options.timeline.map((entry) => Date.parse(entry.startedAt));
  const origin = Math.min(...starts);
  return options.timeline
    .map((entry) => {
      const start = Date.parse(entry.startedAt);
      const end = entry.finishedAt ? Date.parse(entry.finishedAt) : Math.max(start, options.now);
      return {
        logicalResourceId: entry.logicalResourceId,
        resourceType: entry.resourceType,
        offsetSeconds: round1((start - origin) / 1000),
        durationSeconds: round1(Math.max(0, end - start) / 1000),
        status: entry.status,
      };
    })
    .sort(
      (a, b) => a.offsetSeconds - b.offsetSeconds || a.logicalResourceId.localeCompare(b.logicalResourceId),
    );
}

/** The slowest resource types, for the chart's text summary ("Aurora cluster took 8m"). */
export function slowestBars(bars: readonly TimelineBar[], count: number): TimelineBar[] {
  return [...bars].sort((a, b) => b.durationSeconds - a.durationSeconds).slice(0, count);
}

/**
 * The bars worth drawing while a deployment runs: every running resource and the `count` that
 * started last, in start order. A live chart of 150+ bars would redraw thousands of SVG nodes on
 * every stream message; the full chart is drawn once the deployment has settled.
 */
export function liveBars(bars: readonly TimelineBar[], count: number): TimelineBar[] {
  const recent = new Set(bars.slice(-count));
  return bars.filter((bar) => bar.status === 'in-progress' || recent.has(bar));
}
