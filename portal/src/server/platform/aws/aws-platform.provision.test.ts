// The aws adapter and the environments and release pipelines: starting an environment's execution,
// naming the execution that deploys stacks, and the promotion to prod waiting at its approval.
import {
  GetPipelineStateCommand,
  ListPipelineExecutionsCommand,
  PutApprovalResultCommand,
  StartPipelineExecutionCommand,
} from '@aws-sdk/client-codepipeline';
import type { EnvironmentRecord } from '@sep/registry';
import { NoPendingPromotionError, StalePromotionError } from '../port';
import { at, awsRecord, mockAws, readingAwsPlatform as platform } from './aws-platform.test-support';

const { pipeline } = mockAws();

/** `pr-9`, an ephemeral environment in the pipeline account, in `status`. */
const record = (status: EnvironmentRecord['status'] = 'deploying') =>
  awsRecord({ environmentSuffix: 'pr-9' }, { status });

/** What the release pipeline waits with at PromoteToProd: execution `id`, the approval open since `since`. */
function waitingAtPromotion(id: string, since: Date) {
  return {
    stageStates: [
      {
        stageName: 'Staging',
        latestExecution: { pipelineExecutionId: id, status: 'Succeeded' as const },
        actionStates: [],
      },
      {
        stageName: 'Prod',
        latestExecution: { pipelineExecutionId: id, status: 'InProgress' as const },
        actionStates: [
          {
            actionName: 'PromoteToProd',
            latestExecution: { status: 'InProgress' as const, token: 'tok-123', lastStatusChange: since },
          },
        ],
      },
    ],
  };
}

beforeEach(() => {
  pipeline.on(GetPipelineStateCommand).resolves({ stageStates: [] });
});

describe('AwsPlatform: provisioning and promotion through the pipelines', () => {
  it('starts a pipeline execution for a registered environment, idempotent per registry version', async () => {
    pipeline.on(StartPipelineExecutionCommand).resolves({ pipelineExecutionId: 'exec-1' });
    await platform().provision({ record: record('requested') });
    expect(pipeline.commandCalls(StartPipelineExecutionCommand)[0]?.args[0].input).toEqual({
      name: 'sep-environments',
      // A destroyed suffix can be requested again and starts over at version 1: its creation time tells them apart.
      clientRequestToken: `pr-9-${Date.parse('2026-03-01T10:00:00.000Z')}-v3`,
    });
    // Another run to smoke-test what a stopped run deployed is a new execution, not the same request again.
    await platform().provision({ record: record('deploying'), retest: true });
    expect(pipeline.commandCalls(StartPipelineExecutionCommand)[1]?.args[0].input.clientRequestToken).toBe(
      `pr-9-${Date.parse('2026-03-01T10:00:00.000Z')}-v3-retest`,
    );
  });

  it('names the execution deploying stacks, and none while executions only prepare (Source, Build, UpdatePipeline, Assets)', async () => {
    const stage = (stageName: string, status: 'InProgress' | 'Succeeded', pipelineExecutionId: string) => ({
      stageName,
      latestExecution: { status, pipelineExecutionId },
    });
    pipeline
      .on(GetPipelineStateCommand)
      .resolvesOnce({
        stageStates: [
          stage('Source', 'Succeeded', 'exec-2'),
          stage('Build', 'InProgress', 'exec-2'),
          stage('UpdatePipeline', 'Succeeded', 'exec-1'),
          stage('Assets', 'Succeeded', 'exec-1'),
          stage('pr-9', 'InProgress', 'exec-1'),
        ],
      })
      .resolvesOnce({
        stageStates: [stage('Source', 'Succeeded', 'exec-2'), stage('Build', 'InProgress', 'exec-2')],
      });
    expect(await platform().deployingExecution()).toBe('exec-1');
    expect(await platform().deployingExecution()).toBeUndefined();
    expect(pipeline.commandCalls(GetPipelineStateCommand)[0]?.args[0].input).toEqual({
      name: 'sep-environments',
    });
  });

  it('approves with the token from GetPipelineState, only for the execution reviewed, and refuses when nothing waits', async () => {
    pipeline.reset();
    pipeline.on(GetPipelineStateCommand).resolves(waitingAtPromotion('e7', at(5)));
    pipeline.on(ListPipelineExecutionsCommand).resolves({ pipelineExecutionSummaries: [] });
    pipeline.on(PutApprovalResultCommand).resolves({ approvedAt: at(6) });
    const p = platform();
    const view = await p.pipeline();
    expect(view.pendingPromotion).toEqual({
      stageName: 'Prod',
      actionName: 'PromoteToProd',
      requestedAt: at(5).toISOString(),
      executionId: 'e7',
    });
    expect(JSON.stringify(view)).not.toContain('tok-123');
    // A decision reviewed on another execution is refused, and nothing is sent to CodePipeline.
    await expect(
      p.decidePromotion({ executionId: 'e6', decision: 'approve', comment: 'release 6', actor: 'carol' }),
    ).rejects.toEqual(new StalePromotionError('e6', 'e7'));
    expect(pipeline.commandCalls(PutApprovalResultCommand)).toHaveLength(0);
    await p.decidePromotion({ executionId: 'e7', decision: 'approve', comment: 'release 7', actor: 'carol' });
    expect(pipeline.commandCalls(GetPipelineStateCommand).map((call) => call.args[0].input)).toEqual([
      { name: 'sep-environments-release' },
      { name: 'sep-environments-release' },
      { name: 'sep-environments-release' },
    ]);
    expect(pipeline.commandCalls(PutApprovalResultCommand)[0]?.args[0].input).toEqual({
      pipelineName: 'sep-environments-release',
      stageName: 'Prod',
      actionName: 'PromoteToProd',
      token: 'tok-123',
      result: { status: 'Approved', summary: 'Approved by carol in the portal for execution e7: release 7' },
    });

    pipeline.on(GetPipelineStateCommand).resolves({ stageStates: [] });
    await expect(
      p.decidePromotion({ executionId: 'e7', decision: 'reject', comment: '', actor: 'carol' }),
    ).rejects.toBeInstanceOf(NoPendingPromotionError);
  });

  it('names who registered the staging and prod entries the waiting execution carries, and its revision', async () => {
    pipeline.reset();
    pipeline.on(GetPipelineStateCommand).resolves(waitingAtPromotion('e9', at(50)));
    // Newest first, two pages: e9 waits, e8 failed, e7 reached prod at 10 s; e6 is older and never read.
    pipeline
      .on(ListPipelineExecutionsCommand)
      .resolvesOnce({
        pipelineExecutionSummaries: [
          {
            pipelineExecutionId: 'e9',
            status: 'InProgress',
            startTime: at(40),
            sourceRevisions: [
              { actionName: 'Source', revisionId: '0123456789abcdef', revisionSummary: 'v9' },
            ],
          },
          { pipelineExecutionId: 'e8', status: 'Failed', startTime: at(30) },
        ],
        nextToken: 'page-2',
      })
      .resolvesOnce({
        pipelineExecutionSummaries: [
          { pipelineExecutionId: 'e7', status: 'Succeeded', startTime: at(10) },
          { pipelineExecutionId: 'e6', status: 'Succeeded', startTime: at(1) },
        ],
        nextToken: 'page-3',
      });
    const entry = (suffix: string, kind: 'staging' | 'prod' | 'ephemeral', by: string, seconds: number) => {
      const when = at(seconds).toISOString();
      return awsRecord(
        {
          environmentSuffix: suffix,
          kind,
          owner: by,
          ...(kind === 'ephemeral' ? {} : { alertEmails: ['ops@example.com'] }),
        },
        { requestedBy: by, createdAt: when, updatedAt: when },
      );
    };
    const p = platform([
      entry('stg-old', 'staging', 'erin', 5), // in prod since e7
      entry('stg-new', 'staging', 'dave', 20),
      entry('prd-eu', 'prod', 'frank', 35),
      entry('pr-1', 'ephemeral', 'alice', 25), // never goes through the release pipeline
      entry('stg-later', 'staging', 'gina', 45), // registered after e9 started: not in it
    ]);
    const view = await p.pipeline();

    expect(view.pendingPromotion).toMatchObject({
      executionId: 'e9',
      sourceRevision: '0123456789ab v9',
      requestedBy: 'dave, frank',
      requesters: ['dave', 'frank'],
    });
    // Two pages read, not the third: paging stops at the last execution that reached prod.
    const listed = pipeline.commandCalls(ListPipelineExecutionsCommand).map((call) => call.args[0].input);
    expect(listed).toHaveLength(2);
    expect(listed[1]).toMatchObject({ pipelineName: 'sep-environments-release', nextToken: 'page-2' });
    // A later poll of the same waiting execution reads who asked for it from memory.
    await expect(p.pipeline()).resolves.toMatchObject({
      pendingPromotion: { requesters: ['dave', 'frank'] },
    });
    expect(pipeline.commandCalls(ListPipelineExecutionsCommand)).toHaveLength(2);
  });
});
