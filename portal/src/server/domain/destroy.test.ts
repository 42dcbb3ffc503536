import { CloudFormationClient, DeleteStackCommand } from '@aws-sdk/client-cloudformation';
import {
  CodePipelineClient,
  GetPipelineStateCommand,
  ListPipelineExecutionsCommand,
  StartPipelineExecutionCommand,
} from '@aws-sdk/client-codepipeline';
import { mockTargetSts } from '@sep/registry/target-access/testing';
import { localRegistryStore } from '@sep/registry/testing';
import { mockClient } from 'aws-sdk-client-mock';
import { createAuditTable, DynamoDbAuditStore } from '../audit/audit-store';
import { testAwsPlatform } from '../platform/aws/aws-platform.test-support';
import { type StackWorldOptions, stackWorld } from '../platform/aws/stack-world.test-support';
import { CachedRegistry } from './cached-registry';
import { EnvironmentService } from './environment-service';
import { DomainError } from './errors';
import type { StreamMessage, User } from './types';

const cfn = mockClient(CloudFormationClient);
const codePipeline = mockClient(CodePipelineClient);
mockTargetSts();
const alice: User = { id: 'alice', name: 'Alice', roles: ['engineer'] };
const request = { environmentSuffix: 'pr-9', kind: 'ephemeral', project: 'payments', costCenter: 'CC-1' };

const services: EnvironmentService[] = [];
const store = localRegistryStore({ tablePrefix: 'registry' });
beforeEach(() => {
  cfn.reset();
  codePipeline.reset();
  let executions = 0;
  codePipeline.on(StartPipelineExecutionCommand).callsFake(() => {
    executions += 1;
    return { pipelineExecutionId: `exec-${executions}` };
  });
  codePipeline.on(GetPipelineStateCommand).resolves({ stageStates: [] });
  codePipeline.on(ListPipelineExecutionsCommand).resolves({ pipelineExecutionSummaries: [] });
});
afterEach(() => {
  for (const service of services.splice(0)) service.close();
});

/** The aws-mode wiring of `runtime.ts` (cached registry, the teardown on the same registry), AWS mocked. */
async function awsPortal(
  world: Omit<StackWorldOptions, 'suffix'> = {},
  options: Pick<ConstructorParameters<typeof EnvironmentService>[0], 'deployment'> = {},
) {
  const { registry: stored, tableName, dynamo } = await store.freshRegistry();
  await createAuditTable({ client: dynamo, tableName: `${tableName}-audit` });
  const registry = new CachedRegistry(stored, 5_000);
  const audit = new DynamoDbAuditStore({ tableName: `${tableName}-audit`, client: dynamo });
  const platform = testAwsPlatform({ registry });
  const service = new EnvironmentService({ registry, platform, audit, pollIntervalMs: 20, ...options });
  services.push(service);
  return { service, stored, audit, world: stackWorld(cfn, { suffix: 'pr-9', ...world }) };
}

async function until(check: () => Promise<boolean> | boolean, what: string): Promise<void> {
  for (let i = 0; i < 300; i += 1) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Requests pr-9 as alice and lets the pipeline "deploy" it. */
async function ready(service: EnvironmentService, world: { set(status: 'CREATE_COMPLETE'): void }) {
  await service.request(alice, request);
  world.set('CREATE_COMPLETE');
  await until(async () => (await service.get(alice, 'pr-9')).status === 'ready', 'pr-9 ready');
}

const teardownRuns = () =>
  codePipeline
    .commandCalls(StartPipelineExecutionCommand)
    .filter((call) => call.args[0].input.clientRequestToken?.endsWith('-teardown'));

describe('destroy in aws mode (through @sep/registry/teardown)', () => {
  it('destroying → destroyed: the stack is deleted, the entry removed, one pipeline run started, and the suffix is free again', async () => {
    const { service, stored, audit, world } = await awsPortal();
    await ready(service, world);

    const accepted = await service.destroy(alice, 'pr-9');

    expect(accepted.status).toBe('destroying');
    expect(world.deletes).toEqual([world.stackId]);
    const messages: StreamMessage[] = [];
    let ended = false;
    service.watch(
      'pr-9',
      (message) => messages.push(message),
      () => {
        ended = true;
      },
    );
    // The reconciler keeps polling while CloudFormation deletes; nothing else is deleted or started.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await stored.get({ environmentSuffix: 'pr-9' }))?.status).toBe('destroying');
    expect(world.deletes).toHaveLength(1);
    expect(teardownRuns()).toHaveLength(0);

    world.finishDelete();
    await until(() => ended, 'the stream to end');

    expect(messages.filter((m) => m.type === 'snapshot').at(-1)).toMatchObject({
      type: 'snapshot',
      status: 'destroyed',
      progress: { phase: 'destroyed', percent: 100 },
    });
    await expect(stored.get({ environmentSuffix: 'pr-9' })).resolves.toBeUndefined();
    expect(teardownRuns()).toHaveLength(1);
    const detail = await service.get(alice, 'pr-9');
    expect(detail).toMatchObject({ status: 'destroyed', progress: { phase: 'destroyed' } });
    expect(detail.permissions).toEqual({
      canDestroy: false,
      destroyBlockedReason: 'the environment is already destroyed',
      canRetry: false,
    });
    await expect(service.destroy(alice, 'pr-9')).rejects.toMatchObject({ code: 'not_destroyable' });
    // More polls and reads start no second run.
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(teardownRuns()).toHaveLength(1);
    const trail = (await audit.list({ limit: 50 })).entries.filter((entry) => entry.target === 'pr-9');
    expect(trail.map((entry) => `${entry.actor} ${entry.action} ${entry.details.to ?? ''}`.trim())).toEqual(
      expect.arrayContaining([
        'alice environment.requested',
        'alice environment.destroy-requested',
        'system environment.status-changed destroyed',
      ]),
    );

    await expect(service.suffixAvailability('pr-9')).resolves.toEqual({ suffix: 'pr-9', available: true });
    const again = await service.request(alice, request);
    expect(again.status).toBe('requested');
    expect(Date.parse(again.createdAt)).toBeGreaterThan(Date.parse(accepted.createdAt));
    // Its deployment run is not mistaken for the first life's (same suffix, same version 1).
    const provisions = codePipeline
      .commandCalls(StartPipelineExecutionCommand)
      .map((call) => call.args[0].input.clientRequestToken)
      .filter((token) => !token?.endsWith('-teardown'));
    expect(provisions).toHaveLength(2);
    expect(new Set(provisions).size).toBe(2);
  });

  it('an environment whose stack was never created is destroyed within the request', async () => {
    const { service, stored, world } = await awsPortal();
    await service.request(alice, request);

    const answer = await service.destroy(alice, 'pr-9');

    expect(answer.status).toBe('destroyed');
    expect(world.deletes).toEqual([]);
    await expect(stored.get({ environmentSuffix: 'pr-9' })).resolves.toBeUndefined();
    expect(teardownRuns()).toHaveLength(1);
  });

  it('DELETE_FAILED twice: the environment ends failed with what CloudFormation could not delete', async () => {
    const { service, stored, world } = await awsPortal();
    await ready(service, world);
    await service.destroy(alice, 'pr-9');

    world.set('DELETE_FAILED', 'The following resource(s) failed to delete: [DataBucket].');
    await until(() => world.deletes.length === 2, 'the one retry');
    world.set('DELETE_FAILED', 'The following resource(s) failed to delete: [DataBucket].');
    await until(async () => (await service.get(alice, 'pr-9')).status === 'failed', 'pr-9 failed');

    const detail = await service.get(alice, 'pr-9');
    expect(detail.statusReason).toContain(
      'DataBucket (AWS::S3::Bucket): The bucket you tried to delete is not empty',
    );
    expect(detail.permissions.canDestroy).toBe(true);
    expect((await stored.get({ environmentSuffix: 'pr-9' }))?.status).toBe('failed');
    expect(world.deletes).toHaveLength(2);
    expect(teardownRuns()).toHaveLength(0);
  });

  it('refuses a stack that is not provably ephemeral: 409, nothing deleted, the environment failed for a person to look at', async () => {
    const { service, world } = await awsPortal({ tags: { Environment: 'pr-9', EnvironmentKind: 'prod' } });
    await ready(service, world);

    const refused = await service.destroy(alice, 'pr-9').catch((error: unknown) => error);

    expect(refused).toBeInstanceOf(DomainError);
    expect(refused).toMatchObject({ code: 'not_destroyable' });
    expect((refused as Error).message).toMatch(/not tagged EnvironmentKind=ephemeral/);
    expect(cfn.commandCalls(DeleteStackCommand)).toHaveLength(0);
    // Its stack is healthy, but the reconciler does not paper over the refusal.
    await new Promise((resolve) => setTimeout(resolve, 60));
    const detail = await service.get(alice, 'pr-9');
    expect(detail.status).toBe('failed');
    expect(detail.statusReason).toMatch(/^teardown failed: refusing to delete stack sep-pr-9-environment/);
  });

  it('throttling: the destroy is still accepted, and the reconciler retries with backoff until the stack is deleted', async () => {
    const { service, stored, world } = await awsPortal();
    await ready(service, world);
    world.throttle(3);

    const accepted = await service.destroy(alice, 'pr-9');

    expect(accepted.status).toBe('destroying');
    expect(world.deletes).toEqual([]);
    await until(() => world.deletes.length === 1, 'the delete after the throttling');
    world.finishDelete();
    await until(async () => (await stored.get({ environmentSuffix: 'pr-9' })) === undefined, 'entry removed');
    expect(world.deletes).toEqual([world.stackId]);
    expect(teardownRuns()).toHaveLength(1);
  });
});

describe('the aws-mode reconciler', () => {
  it('remembers the stack ID it saw, so a teardown can tell a missing stack from a deleted one', async () => {
    const { service, stored, world } = await awsPortal();
    await ready(service, world);
    await until(
      async () => (await stored.get({ environmentSuffix: 'pr-9' }))?.stackId === world.stackId,
      'stack ID recorded',
    );
  });

  it('recreates a rolled-back ephemeral stack once: deleted, requested again, the pipeline started', async () => {
    const { service, stored, audit, world } = await awsPortal();
    await service.request(alice, request);
    world.set('ROLLBACK_COMPLETE', 'The following resource(s) failed to create: [ApiKey].');
    await until(async () => world.deletes.length === 1, 'the rolled-back stack deleted');
    expect(world.deletes).toEqual([world.stackId]);
    // While CloudFormation deletes, the entry stays failed (the synth skips it) with the recreating reason.
    expect(await stored.get({ environmentSuffix: 'pr-9' })).toMatchObject({
      status: 'failed',
      recreations: 1,
      statusReason: expect.stringMatching(/^recreating: /),
    });
    world.finishDelete();
    await until(
      async () => (await stored.get({ environmentSuffix: 'pr-9' }))?.status === 'requested',
      'requested again',
    );
    const runs = codePipeline
      .commandCalls(StartPipelineExecutionCommand)
      .map((call) => call.args[0].input.clientRequestToken ?? '');
    expect(runs.filter((token) => token.endsWith('-recreate'))).toHaveLength(1);
    const trail = async () =>
      (await audit.list({ limit: 50 })).entries
        .filter((entry) => entry.target === 'pr-9')
        .map((entry) => `${entry.action} ${entry.details.to ?? ''} ${entry.details.reason ?? ''}`.trim());
    await until(
      async () => (await trail()).some((line) => line.includes('status-changed requested')),
      'audited',
    );
    expect(await trail()).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^environment\.status-changed failed recreating: deleting the rolled-back stack/,
        ),
        'environment.status-changed requested rolled-back stack deleted; redeploying (automatic recreation 1)',
      ]),
    );

    // It rolls back again: one automatic recreation is the limit, the owner decides the rest.
    world.set('ROLLBACK_COMPLETE', 'The following resource(s) failed to create: [ApiKey].');
    await until(
      async () => (await stored.get({ environmentSuffix: 'pr-9' }))?.status === 'failed',
      'failed again',
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(world.deletes).toHaveLength(1);
    expect((await stored.get({ environmentSuffix: 'pr-9' }))?.statusReason).not.toMatch(/^recreating/);
  });

  it('refuses a request for an account or region that is not a deployment target, with the field at fault', async () => {
    const { service, stored } = await awsPortal(
      {},
      {
        deployment: {
          targets: [
            { account: '111111111111', region: 'us-east-1' },
            { account: '222222222222', region: 'eu-west-1' },
          ],
          defaultAccount: '111111111111',
        },
      },
    );
    await expect(service.request(alice, { ...request, account: '333333333333' })).rejects.toMatchObject({
      code: 'validation_failed',
      fields: [
        {
          path: 'account',
          message: expect.stringContaining('account 333333333333 is not a deployment target'),
        },
      ],
    });
    await expect(service.request(alice, { ...request, region: 'eu-west-1' })).rejects.toMatchObject({
      code: 'validation_failed',
      fields: [
        {
          path: 'region',
          message: expect.stringContaining('region eu-west-1 is not bootstrapped in account 111111111111'),
        },
      ],
    });
    await expect(stored.list()).resolves.toEqual([]);
    await expect(
      service.request(alice, { ...request, account: '222222222222', region: 'eu-west-1' }),
    ).resolves.toMatchObject({ status: 'requested' });
  });
});
