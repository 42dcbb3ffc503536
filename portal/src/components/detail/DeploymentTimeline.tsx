'use client';

import { Bar, BarChart, CartesianGrid, Cell, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatDuration } from '../../client/format';
import { liveBars, slowestBars, type TimelineBar, toTimelineBars } from '../../client/timeline-chart';
import type { ResourceTimelineEntry } from '../../server/domain/types';
import { Card } from '../../ui';

const STATUS_COLOUR: Record<TimelineBar['status'], string> = {
  complete: '#1f7a45',
  'in-progress': '#1a56b8',
  failed: '#b42318',
  cancelled: '#8a97a8',
};

/** Pixel height of one resource row in the chart. */
const ROW_HEIGHT = 18;
/** Bars drawn while the deployment runs besides the running ones (see `liveBars`). */
const LIVE_BARS = 30;

export interface DeploymentTimelineProps {
  readonly timeline: readonly ResourceTimelineEntry[];
  readonly now: number;
  /** The deployment is running: draw the running and latest resources only. @default false */
  readonly live?: boolean;
}

function TimelineTooltip({
  active,
  payload,
}: {
  active?: boolean;
  payload?: readonly { payload?: TimelineBar }[];
}) {
  const bar = payload?.[0]?.payload;
  if (!active || !bar) return null;
  return (
    <div className="chart-tooltip">
      <strong>{bar.logicalResourceId}</strong>
      <div className="muted">{bar.resourceType}</div>
      <div>
        starts +{bar.offsetSeconds}s, takes {bar.durationSeconds}s ({bar.status})
      </div>
    </div>
  );
}

/** A Gantt-like chart: one bar per resource from its start to its end, coloured by outcome. */
export function DeploymentTimeline({ timeline, now, live = false }: DeploymentTimelineProps) {
  const bars = toTimelineBars({ timeline, now });
  const drawn = live ? liveBars(bars, LIVE_BARS) : bars;
  const total = bars.reduce((max, bar) => Math.max(max, bar.offsetSeconds + bar.durationSeconds), 0);
  const slowest = slowestBars(bars, 3);
  const summary =
    bars.length === 0
      ? 'No resource has started yet.'
      : `${bars.length} resources over ${total < 60 ? `${Math.round(total)} s` : formatDuration(total * 1000)}. Slowest: ${slowest
          .map((bar) => `${bar.logicalResourceId} (${bar.resourceType}, ${bar.durationSeconds} s)`)
          .join('; ')}.`;
  return (
    <Card
      id="timeline-heading"
      title="Deployment timeline"
      description="Each bar is one resource, from CREATE_IN_PROGRESS to its final event."
      testId="deployment-timeline"
    >
      {bars.length === 0 ? (
        <p className="muted">{summary}</p>
      ) : (
        <figure className="figure">
          <figcaption className="small muted" data-testid="deployment-timeline-summary">
            {summary}
            {drawn.length < bars.length
              ? ` While it runs, the chart shows the running resources and the latest ${LIVE_BARS}; all ${bars.length} once it is done.`
              : ''}
          </figcaption>
          <div className="timeline-scroll" role="img" aria-label={`Deployment timeline chart. ${summary}`}>
            <ResponsiveContainer width="100%" height={Math.max(160, drawn.length * ROW_HEIGHT + 48)}>
              <BarChart
                data={drawn}
                layout="vertical"
                margin={{ top: 8, right: 24, bottom: 8, left: 8 }}
                barCategoryGap={2}
              >
                <CartesianGrid horizontal={false} />
                <XAxis
                  type="number"
                  domain={[0, 'dataMax']}
                  tickFormatter={(seconds: number) => `${seconds}s`}
                  fontSize={12}
                />
                <YAxis
                  type="category"
                  dataKey="logicalResourceId"
                  width={230}
                  interval={0}
                  fontSize={11}
                  tickFormatter={(id: string) => (id.length > 34 ? `${id.slice(0, 33)}…` : id)}
                />
                <Tooltip content={<TimelineTooltip />} cursor={{ fill: 'rgb(26 86 184 / 6%)' }} />
                <Bar dataKey="offsetSeconds" stackId="span" fill="transparent" isAnimationActive={false} />
                <Bar dataKey="durationSeconds" stackId="span" isAnimationActive={false} minPointSize={2}>
                  {drawn.map((bar) => (
                    <Cell
                      key={bar.logicalResourceId}
                      fill={STATUS_COLOUR[bar.status]}
                      className={`timeline-bar timeline-bar--${bar.status}`}
                    />
                  ))}
                </Bar>
              </BarChart>
            </ResponsiveContainer>
          </div>
          <ul className="legend small" aria-label="Legend">
            {(['complete', 'in-progress', 'failed'] as const).map((status) => (
              <li key={status}>
                <span className={`legend__swatch legend__swatch--${status}`} aria-hidden="true" />
                {status}
              </li>
            ))}
          </ul>
        </figure>
      )}
    </Card>
  );
}
