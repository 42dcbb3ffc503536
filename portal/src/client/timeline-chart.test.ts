import { liveBars, slowestBars, toTimelineBars } from './timeline-chart';

const at = (second: number) => new Date(Date.UTC(2026, 10, 23, 1, 0, second)).toISOString();

it('places each resource from the first start and draws running ones up to now', () => {
  const bars = toTimelineBars({
    timeline: [
      {
        logicalResourceId: 'Cluster',
        resourceType: 'AWS::RDS::DBCluster',
        startedAt: at(10),
        status: 'in-progress',
      },
      {
        logicalResourceId: 'Key',
        resourceType: 'AWS::KMS::Key',
        startedAt: at(2),
        finishedAt: at(5),
        status: 'complete',
      },
    ],
    now: Date.parse(at(40)),
  });
  expect(bars).toEqual([
    {
      logicalResourceId: 'Key',
      resourceType: 'AWS::KMS::Key',
      offsetSeconds: 0,
      durationSeconds: 3,
      status: 'complete',
    },
    {
      logicalResourceId: 'Cluster',
      resourceType: 'AWS::RDS::DBCluster',
      offsetSeconds: 8,
      durationSeconds: 30,
      status: 'in-progress',
    },
  ]);
  expect(slowestBars(bars, 1).map((bar) => bar.logicalResourceId)).toEqual(['Cluster']);
});

it('draws nothing before the first resource starts', () => {
  expect(toTimelineBars({ timeline: [], now: 0 })).toEqual([]);
});

it('draws only the running and the latest bars while live', () => {
  const bar = (id: string, offsetSeconds: number, status: 'in-progress' | 'complete') => ({
    logicalResourceId: id,
    resourceType: 'AWS::S3::Bucket',
    offsetSeconds,
    durationSeconds: 1,
    status,
  });
  const bars = [
    bar('Slow', 0, 'in-progress'),
    bar('A', 1, 'complete'),
    bar('B', 2, 'complete'),
    bar('C', 3, 'complete'),
  ];
  expect(liveBars(bars, 2).map((b) => b.logicalResourceId)).toEqual(['Slow', 'B', 'C']);
  expect(liveBars(bars, 10)).toEqual(bars);
});
