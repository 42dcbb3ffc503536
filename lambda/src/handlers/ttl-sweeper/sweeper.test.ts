import {
  DeleteStackCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockTeardownAws, testTeardown } from '@sep/registry/teardown/testing';
import { localRegistryStore } from '@sep/registry/testing';
import { parseEnvironmentSpec } from '@sep/spec';
import { mockClient } from 'aws-sdk-client-mock';
import { createLogger } from '../../shared/logger';
import { loadSweeperEnvironment } from './config';
import { sweep } from './sweeper';

const { cfn } = mockTeardownAws();
const sns = mockClient(SNSClient);

const store = localRegistryStore({ tablePrefix: 'sweeper' });
beforeEach(() => {
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
});

const NOW = new Date('2026-11-23T12:00:00.000Z');
const HOUR = 3_600_000;

function spec(environmentSuffix: string, overrides: Record<string, unknown> = {}) {
  const parsed = parseEnvironmentSpec({
    environmentSuffix,
    kind: 'ephemeral',
    owner: `${environmentSuffix}-owner@example.com`,
    project: 'payments',
    costCenter: 'cc-1',
    ttlHours: 2,
    ...overrides,
  });
  if (!parsed.success) throw new Error(JSON.stringify(parsed.errors));
  return parsed.spec;
}

function stackOf(suffix: string, status: Stack['StackStatus'] = 'CREATE_COMPLETE'): Stack {
  return {
    StackId: `arn:aws:cloudformation:us-east-1:111111111111:stack/sep-${suffix}-environment/id`,
    StackName: `sep-${suffix}-environment`,
    StackStatus: status,
    CreationTime: new Date('2026-11-23T00:00:00Z'),
    Tags: [
      { Key: 'Environment', Value: suffix },
      { Key: 'EnvironmentKind', Value: 'ephemeral' },
    ],
  };
}

/** Every stack is listed live, and is gone once DeleteStack was called for it. */
function cloudFormationWith(suffixes: string[], options: { failDeleteOf?: string } = {}) {
  const deleted = new Set<string>();
  cfn.on(DescribeStacksCommand).callsFake((input: { StackName?: string }) => {
    if (input.StackName === undefined) return { Stacks: suffixes.map((suffix) => stackOf(suffix)) };
    const suffix = suffixes.find((candidate) => input.StackName?.includes(`/sep-${candidate}-environment/`));
    if (suffix === undefined) throw new Error(`Stack with id ${input.StackName} does not exist`);
    if (suffix === options.failDeleteOf && deleted.has(suffix))
      return { Stacks: [stackOf(suffix, 'DELETE_FAILED')] };
    return { Stacks: [stackOf(suffix, deleted.has(suffix) ? 'DELETE_COMPLETE' : 'CREATE_COMPLETE')] };
  });
  cfn.on(DeleteStackCommand).callsFake((input: { StackName: string }) => {
    const suffix = suffixes.find((candidate) => input.StackName.includes(`/sep-${candidate}-environment/`));
    if (suffix !== undefined) deleted.add(suffix);
    return {};
  });
}

async function setup() {
  const { registry } = await store.freshRegistry();
  const { teardown } = testTeardown({ registry });
  const lines: string[] = [];
  const logger = createLogger({ write: (line) => lines.push(line) });
  return { registry, teardown, logger, lines };
}

// The sweep as the scheduled handler runs it at NOW, with no time budget to run out of.
function sweepAtNow({
  registry,
  teardown,
  logger,
}: Pick<Awaited<ReturnType<typeof setup>>, 'registry' | 'teardown' | 'logger'>) {
  return sweep({
    registry,
    teardown,
    sns: new SNSClient({ region: 'us-east-1' }),
    notifyTopicArn: 'arn:aws:sns:us-east-1:111111111111:sep-notify',
    now: NOW,
    deadline: Number.MAX_SAFE_INTEGER,
    logger,
  });
}

describe('sweep', () => {
  it('destroys only expired ephemeral environments and tells each owner', async () => {
    const { registry, teardown, logger, lines } = await setup();
    await registry.register({
      spec: spec('old'),
      requestedBy: 'alice',
      now: new Date(NOW.getTime() - 3 * HOUR),
    });
    await registry.register({ spec: spec('fresh'), requestedBy: 'bob', now: new Date(NOW.getTime() - HOUR) });
    await registry.register({
      spec: spec('staging', { kind: 'staging', ttlHours: undefined, alertEmails: ['ops@example.com'] }),
      requestedBy: 'admin',
      now: new Date('2020-01-01T00:00:00Z'),
    });
    cloudFormationWith(['old', 'fresh', 'staging']);

    const report = await sweepAtNow({ registry, teardown, logger });

    expect(report).toEqual({
      expired: 1,
      entries: [{ environmentSuffix: 'old', outcome: 'destroyed' }],
      deferred: [],
    });
    expect(cfn.commandCalls(DeleteStackCommand).map((call) => call.args[0].input.StackName)).toEqual([
      expect.stringContaining('/sep-old-environment/'),
    ]);
    await expect(registry.get({ environmentSuffix: 'old' })).resolves.toBeUndefined();
    expect((await registry.list()).map((record) => record.environmentSuffix)).toEqual(['fresh', 'staging']);

    const published = sns.commandCalls(PublishCommand).map((call) => call.args[0].input);
    expect(published).toHaveLength(1);
    expect(published[0]?.Subject).toBe('Environment old destroyed (TTL expired)');
    expect(published[0]?.MessageAttributes?.owner?.StringValue).toBe('old-owner@example.com');
    expect(published[0]?.Message).toContain('Expired at: 2026-11-23T11:00:00.000Z (TTL 2 h)');
    expect(lines.some((line) => JSON.parse(line).message === 'sweep finished')).toBe(true);
  });

  it('records a failed teardown, tells the owner, and carries on with the next environment', async () => {
    const { registry, teardown, logger } = await setup();
    const created = new Date(NOW.getTime() - 3 * HOUR);
    await registry.register({ spec: spec('stuck'), requestedBy: 'alice', now: created });
    await registry.register({ spec: spec('tidy'), requestedBy: 'bob', now: created });
    cloudFormationWith(['stuck', 'tidy'], { failDeleteOf: 'stuck' });
    cfn.on(DescribeStackEventsCommand).resolves({ StackEvents: [] });

    const report = await sweepAtNow({ registry, teardown, logger });

    expect(report.entries.map((entry) => [entry.environmentSuffix, entry.outcome])).toEqual([
      ['stuck', 'failed'],
      ['tidy', 'destroyed'],
    ]);
    expect((await registry.get({ environmentSuffix: 'stuck' }))?.status).toBe('failed');
    const subjects = sns.commandCalls(PublishCommand).map((call) => call.args[0].input.Subject);
    expect(subjects).toEqual([
      'Environment stuck could not be destroyed (TTL expired)',
      'Environment tidy destroyed (TTL expired)',
    ]);

    // The next run leaves the failed teardown to a person: no second attempt, no second notice.
    sns.resetHistory();
    cfn.resetHistory();
    const rerun = await sweepAtNow({ registry, teardown, logger });
    expect(rerun.entries).toEqual([
      {
        environmentSuffix: 'stuck',
        outcome: 'skipped',
        detail: expect.stringMatching(/^needs attention: teardown failed: /),
      },
    ]);
    expect(cfn.commandCalls(DeleteStackCommand)).toHaveLength(0);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
  });

  it('defers what the time budget does not cover', async () => {
    const { registry, teardown, logger } = await setup();
    const created = new Date(NOW.getTime() - 3 * HOUR);
    await registry.register({ spec: spec('a-env'), requestedBy: 'alice', now: created });
    await registry.register({ spec: spec('b-env'), requestedBy: 'alice', now: created });
    cloudFormationWith(['a-env', 'b-env']);
    let now = 0;
    const report = await sweep({
      registry,
      teardown: {
        destroy: async (options) => {
          now = 10; // the first teardown spends the whole budget
          return teardown.destroy(options);
        },
      },
      sns: new SNSClient({ region: 'us-east-1' }),
      notifyTopicArn: 'arn:aws:sns:us-east-1:111111111111:sep-notify',
      now: NOW,
      deadline: 10,
      clock: () => now,
      logger,
    });
    expect(report.entries.map((entry) => entry.environmentSuffix)).toEqual(['a-env']);
    expect(report.deferred).toEqual(['b-env']);
    expect((await registry.get({ environmentSuffix: 'b-env' }))?.status).toBe('requested');
  });

  it('keeps going when a notification cannot be sent', async () => {
    const { registry, teardown, logger, lines } = await setup();
    await registry.register({
      spec: spec('old'),
      requestedBy: 'alice',
      now: new Date(NOW.getTime() - 3 * HOUR),
    });
    cloudFormationWith(['old']);
    sns.on(PublishCommand).rejects(Object.assign(new Error('denied'), { name: 'AuthorizationError' }));
    const report = await sweepAtNow({ registry, teardown, logger });
    expect(report.entries[0]?.outcome).toBe('destroyed');
    expect(lines.map((line) => JSON.parse(line).message)).toContain('owner notification failed');
  });
});

describe('loadSweeperEnvironment', () => {
  it('applies defaults', () => {
    expect(
      loadSweeperEnvironment({
        REGISTRY_TABLE_NAME: 'registry',
        NOTIFY_TOPIC_ARN: 'arn:aws:sns:us-east-1:111111111111:sep-notify',
        DEFAULT_ACCOUNT: '111111111111',
      }),
    ).toEqual({
      REGISTRY_TABLE_NAME: 'registry',
      NOTIFY_TOPIC_ARN: 'arn:aws:sns:us-east-1:111111111111:sep-notify',
      DEFAULT_ACCOUNT: '111111111111',
      STACK_NAME_PREFIX: 'sep-',
      SAFETY_MARGIN_SECONDS: 60,
      LOG_LEVEL: 'info',
    });
  });

  it('names every missing or invalid variable', () => {
    let error: unknown;
    try {
      loadSweeperEnvironment({ NOTIFY_TOPIC_ARN: 'not-an-arn' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain('invalid Lambda environment variables');
    const detail = JSON.stringify(error);
    expect(detail).toContain('REGISTRY_TABLE_NAME');
    expect(detail).toContain('NOTIFY_TOPIC_ARN');
    expect(detail).toContain('DEFAULT_ACCOUNT');
  });
});
