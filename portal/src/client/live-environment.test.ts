import type { DeploymentEvent, EnvironmentDetail } from '../server/domain/types';
import {
  applyStreamMessage,
  isInFlightStatus,
  isTerminalStatus,
  MAX_EVENTS,
  mergeEvents,
  mergeTimeline,
  parseStreamMessage,
} from './live-environment';

function event(
  id: string,
  second: number,
  logicalResourceId: string,
  resourceStatus: string,
): DeploymentEvent {
  return {
    eventId: id,
    stackName: 'sep-pr-1',
    timestamp: new Date(Date.UTC(2026, 10, 23, 1, 0, second)).toISOString(),
    logicalResourceId,
    resourceType: logicalResourceId === 'sep-pr-1' ? 'AWS::CloudFormation::Stack' : 'AWS::S3::Bucket',
    resourceStatus,
  };
}

const detail = {
  environmentSuffix: 'pr-1',
  status: 'deploying',
  progress: { phase: 'deploying', resourcesDone: 1, resourcesTotal: 10, percent: 10 },
  events: [event('e1', 0, 'sep-pr-1', 'CREATE_IN_PROGRESS')],
  timeline: [],
  outputs: [],
} as unknown as EnvironmentDetail;

describe('applyStreamMessage', () => {
  it('takes status, progress and failure from a snapshot', () => {
    const next = applyStreamMessage(detail, {
      type: 'snapshot',
      status: 'failed',
      progress: { phase: 'failed', resourcesDone: 3, resourcesTotal: 10, percent: 30 },
      failure: { logicalResourceId: 'Waf', resourceType: 'AWS::WAFv2::WebACL', reason: 'limit exceeded' },
      outputsAvailable: false,
    });
    expect(next.status).toBe('failed');
    expect(next.progress.resourcesDone).toBe(3);
    expect(next.failure?.logicalResourceId).toBe('Waf');
  });

  it('adds new events once and grows the timeline from them', () => {
    const incoming = [
      event('e1', 0, 'sep-pr-1', 'CREATE_IN_PROGRESS'),
      event('e2', 1, 'DataBucket', 'CREATE_IN_PROGRESS'),
      event('e3', 4, 'DataBucket', 'CREATE_COMPLETE'),
    ];
    const next = applyStreamMessage(detail, { type: 'events', events: incoming });
    expect(next.events.map((e) => e.eventId)).toEqual(['e1', 'e2', 'e3']);
    expect(next.timeline).toEqual([
      {
        logicalResourceId: 'DataBucket',
        resourceType: 'AWS::S3::Bucket',
        startedAt: incoming[1]?.timestamp,
        finishedAt: incoming[2]?.timestamp,
        status: 'complete',
      },
    ]);
    expect(applyStreamMessage(next, { type: 'events', events: incoming })).toBe(next);
  });

  it('changes nothing on an upstream error message', () => {
    expect(applyStreamMessage(detail, { type: 'error', message: 'throttled', retryInMs: 2000 })).toBe(detail);
  });
});

it('keeps only the newest events', () => {
  const many = Array.from({ length: MAX_EVENTS + 5 }, (_, i) =>
    event(`e${i}`, i % 60, `R${i}`, 'CREATE_COMPLETE'),
  );
  expect(mergeEvents([], many)).toHaveLength(MAX_EVENTS);
});

it('marks a failed resource failed and keeps its first start', () => {
  const timeline = mergeTimeline(
    [],
    [
      event('a', 1, 'Api', 'CREATE_IN_PROGRESS'),
      event('b', 2, 'Api', 'CREATE_IN_PROGRESS'),
      event('c', 9, 'Api', 'CREATE_FAILED'),
    ],
  );
  expect(timeline).toHaveLength(1);
  expect(timeline[0]).toMatchObject({ status: 'failed', startedAt: '2026-11-23T01:00:01.000Z' });
});

it('tells terminal from in-flight statuses', () => {
  expect(['ready', 'failed', 'destroyed'].every((s) => isTerminalStatus(s as never))).toBe(true);
  expect(
    ['requested', 'synthesizing', 'deploying', 'destroying'].every((s) => isInFlightStatus(s as never)),
  ).toBe(true);
  expect(isInFlightStatus('ready')).toBe(false);
});

it('parses stream frames and ignores anything else', () => {
  expect(parseStreamMessage('{"type":"events","events":[]}')).toEqual({ type: 'events', events: [] });
  expect(parseStreamMessage('{"type":"other"}')).toBeUndefined();
  expect(parseStreamMessage('not json')).toBeUndefined();
});
