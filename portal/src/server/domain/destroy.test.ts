import { CloudFormationClient, DeleteStackCommand } from '@aws-sdk/client-cloudformation';
import {
  CodePipelineClient,
  GetPipelineStateCommand,
  StartPipelineExecutionCommand,
} from '@aws-sdk/client-codepipeline';
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { localRegistryStore } from '@sep/pipeline/registry/testing';
import { mockClient } from 'aws-sdk-client-mock';
import { createAuditTable, DynamoDbAuditStore } from '../audit/audit-store';
import { AwsPlatform } from '../platform/aws/aws-platform';
import { type StackWorldOptions, stackWorld } from '../platform/aws/stack-world.test-support';
import { CachedRegistry } from './cached-registry';
import { EnvironmentService } from './environment-service';
import { DomainError } from './errors';
import type { StreamMessage, User } from './types';

const cfn = mockClient(CloudFormationClient);
const codePipeline = mockClient(CodePipelineClient);
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
});
afterEach(() => {
  for (const service of services.splice(0)) service.close();
});

/** The aws-mode wiring of `runtime.ts` (cached registry, the teardown on the same registry), AWS mocked. */
async function awsPortal(world: Omit<StackWorldOptions, 'suffix'> = {}) {
  const { registry: stored, tableName, dynamo } = await store.freshRegistry();
  await createAuditTable({ client: dynamo, tableName: `${tableName}-audit` });
  const registry = new CachedRegistry(stored, 5_000);
  const audit = new DynamoDbAuditStore({ tableName: `${tableName}-audit`, client: dynamo });
  const platform = new AwsPlatform({
    pipelineName: 'sep-environments',
    approvalActionName: 'PromoteToProd',
    registry,
    clients: {
      cloudFormation: new CloudFormationClient({ region: 'us-east-1', maxAttempts: 1 }),
      codePipeline: new CodePipelineClient({ region: 'us-east-1', maxAttempts: 1 }),
      config: new ConfigServiceClient({ region: 'us-east-1', maxAttempts: 1 }),
    },
  });
  const service = new EnvironmentService({ registry, platform, audit, pollIntervalMs: 20 });
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

describe('destroy in aws mode (through @sep/pipeline/teardown)', () => {
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
