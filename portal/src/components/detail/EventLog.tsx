'use client';

import { useState } from 'react';
import { formatTime } from '../../client/format';
import type { DeploymentEvent } from '../../server/domain/types';
import { Badge, type BadgeTone, Button, Card } from '../../ui';

/** Rows shown until the reader asks for all (plus every failure): the page stays light while events stream in. */
const FIRST_ROWS = 40;

function statusTone(status: string): BadgeTone {
  if (status.endsWith('_FAILED') || status.includes('ROLLBACK')) return 'danger';
  if (status.endsWith('_COMPLETE')) return 'success';
  if (status.endsWith('_IN_PROGRESS')) return 'info';
  return 'neutral';
}

export interface EventLogProps {
  readonly events: readonly DeploymentEvent[];
  /** True when the events come from the local simulation. */
  readonly simulated: boolean;
}

/** CloudFormation stack events, newest first. */
export function EventLog({ events, simulated }: EventLogProps) {
  const [all, setAll] = useState(false);
  const newestFirst = [...events].reverse();
  // Failures stay in view however many events came after them (a rollback adds dozens).
  const shown = all
    ? newestFirst
    : newestFirst.filter((event, index) => index < FIRST_ROWS || event.resourceStatus.endsWith('_FAILED'));
  return (
    <Card
      id="events-heading"
      title="Event log"
      description={`${events.length} stack events${simulated ? ' (simulated from the synthesized template)' : ''}, newest first.`}
      flush
      testId="event-log"
      actions={
        newestFirst.length > FIRST_ROWS ? (
          <Button small onClick={() => setAll((value) => !value)} data-testid="event-log-all">
            {all ? `Show the newest ${FIRST_ROWS}` : `Show all ${newestFirst.length}`}
          </Button>
        ) : null
      }
    >
      {newestFirst.length === 0 ? (
        <p className="empty-state">No stack events yet.</p>
      ) : (
        // biome-ignore lint/a11y/noNoninteractiveTabindex: the scrollable log must be reachable by keyboard.
        <section className="event-log" tabIndex={0} aria-label="Stack events, scrollable">
          <table className="table">
            <caption className="visually-hidden">
              Stack events with time, resource, type, status and reason
            </caption>
            <thead>
              <tr>
                <th scope="col" className="event-log__time">
                  Time (UTC)
                </th>
                <th scope="col" className="event-log__resource">
                  Resource
                </th>
                <th scope="col" className="event-log__type">
                  Type
                </th>
                <th scope="col" className="event-log__status">
                  Status
                </th>
                <th scope="col">Reason</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((event) => (
                <tr key={event.eventId} data-testid="event-row" data-status={event.resourceStatus}>
                  <td className="mono">{formatTime(event.timestamp)}</td>
                  <td className="mono">{event.logicalResourceId}</td>
                  <td className="small">{event.resourceType}</td>
                  <td>
                    <Badge tone={statusTone(event.resourceStatus)}>{event.resourceStatus}</Badge>
                  </td>
                  <td className="small">{event.resourceStatusReason ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </Card>
  );
}
