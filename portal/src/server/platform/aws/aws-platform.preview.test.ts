import { GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import { CodePipelineClient, GetPipelineStateCommand } from '@aws-sdk/client-codepipeline';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { EnvironmentRecord } from '@sep/registry';
import { executionTemplateKey, publishedTemplateKey } from '@sep/registry/names';
import { templateHash, templateRecordKey } from '@sep/registry/template-hash';
import { computePromotionPreview } from '../../domain/promotion-preview';
import { securityGroupTemplate } from '../../domain/promotion-preview.test-support';
import { fakeRegistry } from '../../domain/registry-fakes.test-support';
import { NoPendingPromotionError } from '../port';
import { awsRecord, mockAws, stackMissing, testAwsPlatform } from './aws-platform.test-support';

const { cfn, pipeline, s3 } = mockAws();
const BUCKET = 'pipelinestack-compliancereportsbucket-1a2b3c';

function record(environmentSuffix: string, kind: 'prod' | 'staging'): EnvironmentRecord {
  return awsRecord({
    environmentSuffix,
    kind,
    alertEmails: ['ops@example.com'],
    allowedCidrs: ['10.0.0.0/8'],
  });
}

const body = (text: string) => ({ transformToString: async () => text }) as never;
const sg = (cidrs: string[]) => securityGroupTemplate(cidrs);

function waitingAt(executionId: string) {
  pipeline.on(GetPipelineStateCommand).resolves({
    stageStates: [
      {
        stageName: 'Prod',
        latestExecution: { pipelineExecutionId: executionId, status: 'InProgress' },
        actionStates: [
          { actionName: 'PromoteToProd', latestExecution: { status: 'InProgress', token: 'tok' } },
        ],
      },
    ],
  });
}

function platform(records: EnvironmentRecord[]) {
  return testAwsPlatform({
    clients: {
      codePipeline: new CodePipelineClient({ region: 'us-east-1', maxAttempts: 1 }),
      s3: new S3Client({ region: 'us-east-1', maxAttempts: 1 }),
    },
    registry: fakeRegistry(records).store,
    complianceReportsBucket: BUCKET,
  });
}

describe('aws promotionSources', () => {
  it('compares GetTemplate of each prod stack with the template the waiting execution’s Build published', async () => {
    waitingAt('exec-12345678');
    const nextTemplate = sg(['10.0.0.0/16', '0.0.0.0/0']);
    s3.on(GetObjectCommand, {
      Bucket: BUCKET,
      Key: executionTemplateKey('exec-12345678', 'sep-prod-environment'),
    }).resolves({ Body: body(JSON.stringify(nextTemplate)) });
    // A newer synth (the environments pipeline's, or a later release execution's) published another
    // template since: it is not what the waiting execution deploys, and must not be shown.
    s3.on(GetObjectCommand, { Bucket: BUCKET, Key: publishedTemplateKey('sep-prod-environment') }).resolves({
      Body: body(JSON.stringify(sg(['10.0.0.0/16']))),
    });
    s3.on(GetObjectCommand, { Bucket: BUCKET, Key: templateRecordKey(templateHash(nextTemplate)) }).resolves({
      Body: body(JSON.stringify({ nagReport: { packs: [] }, stackName: 'sep-prod-environment' })),
    });
    cfn
      .on(GetTemplateCommand, { StackName: 'sep-prod-environment', TemplateStage: 'Original' })
      .resolves({ TemplateBody: JSON.stringify(sg(['10.0.0.0/16'])) });
    const p = platform([record('prod', 'prod'), record('staging', 'staging')]);
    const sources = await p.promotionSources();
    expect(sources.executionId).toBe('exec-12345678');
    expect(sources.stacks.map((s) => s.stackName)).toEqual(['sep-prod-environment']);
    expect(sources.stacks[0]?.deployed?.template).toEqual(sg(['10.0.0.0/16']));
    expect(sources.stacks[0]?.next?.template).toEqual(nextTemplate);
    expect(sources.stacks[0]?.next?.nagReport).toEqual({ packs: [] });
    // Only the prod stack's template is read, in its target account.
    expect(cfn.commandCalls(GetTemplateCommand)).toHaveLength(1);

    const preview = computePromotionPreview({ executionId: sources.executionId, stacks: sources.stacks });
    expect(preview.flagged).toBe(true);
    expect(preview.stacks[0]?.security.securityGroupRules).toEqual([
      expect.objectContaining({ change: 'added', peer: 'Everyone (IPv4)', widens: true }),
    ]);
    expect(preview.confirmationPhrase).toBe('promote exec-123');
  });

  it('reads each side’s cdk-nag report and spec from the record published under its template hash', async () => {
    waitingAt('exec-records');
    const deployedTemplate = sg(['10.0.0.0/16']);
    const nextTemplate = sg(['10.0.0.0/16', '0.0.0.0/0']);
    const report = (suppressed: { ruleId: string; resource: string; reason: string }[]) => ({
      packs: [{ pack: 'AwsSolutions', rulesChecked: 10, passed: 10, errors: [], warnings: [], suppressed }],
    });
    const deployedSpec = record('prod', 'prod').spec;
    const nextSpec = { ...deployedSpec, features: { ...deployedSpec.features, networkFirewall: true } };
    s3.on(GetObjectCommand, {
      Bucket: BUCKET,
      Key: executionTemplateKey('exec-records', 'sep-prod-environment'),
    }).resolves({
      Body: body(JSON.stringify(nextTemplate)),
    });
    // The per-suffix report is the latest synth's: it must not stand in for either side here.
    s3.on(GetObjectCommand, { Bucket: BUCKET, Key: 'nag-reports/prod.json' }).resolves({
      Body: body(JSON.stringify(report([{ ruleId: 'Latest-1', resource: 'X', reason: 'latest synth' }]))),
    });
    // GetTemplate answers with other whitespace and key order than the synth wrote: the hash is canonical.
    s3.on(GetObjectCommand, {
      Bucket: BUCKET,
      Key: templateRecordKey(templateHash(deployedTemplate)),
    }).resolves({
      Body: body(
        JSON.stringify({ nagReport: report([]), spec: deployedSpec, stackName: 'sep-prod-environment' }),
      ),
    });
    s3.on(GetObjectCommand, { Bucket: BUCKET, Key: templateRecordKey(templateHash(nextTemplate)) }).resolves({
      Body: body(
        JSON.stringify({
          nagReport: report([{ ruleId: 'AwsSolutions-EC23', resource: 'Sg', reason: 'open by request' }]),
          spec: nextSpec,
          stackName: 'sep-prod-environment',
        }),
      ),
    });
    cfn.on(GetTemplateCommand).resolves({ TemplateBody: JSON.stringify(deployedTemplate, null, 4) });

    const sources = await platform([record('prod', 'prod')]).promotionSources();
    expect(sources.stacks[0]?.deployed?.spec?.features.networkFirewall).toBe(false);
    expect(sources.stacks[0]?.next?.spec?.features.networkFirewall).toBe(true);
    const [stack] = computePromotionPreview({
      executionId: sources.executionId,
      stacks: sources.stacks,
    }).stacks;
    expect(stack?.compliance).toEqual({
      available: true,
      entries: [
        expect.objectContaining({ change: 'appears', kind: 'suppression', ruleId: 'AwsSolutions-EC23' }),
      ],
    });
    expect(stack?.cost?.deltaMonthlyUsd).toBeGreaterThan(0);
  });

  it('names the missing record when the deployed template has none: no compliance delta, the diff still shown', async () => {
    waitingAt('exec-norecord');
    const deployedTemplate = sg(['10.0.0.0/16']);
    s3.on(GetObjectCommand).rejects(new Error('AccessDenied'));
    s3.on(GetObjectCommand, {
      Bucket: BUCKET,
      Key: executionTemplateKey('exec-norecord', 'sep-prod-environment'),
    }).resolves({
      Body: body(JSON.stringify(sg(['0.0.0.0/0']))),
    });
    cfn.on(GetTemplateCommand).resolves({ TemplateBody: JSON.stringify(deployedTemplate) });

    const sources = await platform([record('prod', 'prod')]).promotionSources();
    const [stack] = computePromotionPreview({
      executionId: sources.executionId,
      stacks: sources.stacks,
    }).stacks;
    expect(stack?.available).toBe(true);
    expect(stack?.compliance.available).toBe(false);
    expect(stack?.compliance.reason).toContain(templateRecordKey(templateHash(deployedTemplate)));
  });

  it('says why a stack not deployed yet has nothing to compare with', async () => {
    waitingAt('e2');
    s3.on(GetObjectCommand).resolves({ Body: body(JSON.stringify(sg([]))) });
    cfn.on(GetTemplateCommand).rejects(stackMissing('sep-prod-environment'));
    const sources = await platform([record('prod', 'prod')]).promotionSources();
    expect(sources.stacks[0]?.deployed).toBeUndefined();
    expect(sources.stacks[0]?.unavailableReason).toMatch(/not deployed yet/);
  });

  it('flags a stack the waiting execution published no template for, even when a newer synth did, and refuses when nothing waits', async () => {
    waitingAt('e3');
    s3.on(GetObjectCommand).rejects(new Error('NoSuchKey'));
    s3.on(GetObjectCommand, { Bucket: BUCKET, Key: publishedTemplateKey('sep-prod-environment') }).resolves({
      Body: body(JSON.stringify(sg([]))),
    });
    const sources = await platform([record('prod', 'prod')]).promotionSources();
    expect(sources.stacks).toEqual([
      {
        stackName: 'sep-prod-environment',
        environmentSuffix: 'prod',
        unavailableReason: expect.stringContaining(
          `execution e3 published no template for sep-prod-environment (s3://${BUCKET}/${executionTemplateKey('e3', 'sep-prod-environment')})`,
        ),
      },
    ]);
    expect(cfn.commandCalls(GetTemplateCommand)).toHaveLength(0);
    const preview = computePromotionPreview({ executionId: sources.executionId, stacks: sources.stacks });
    // The approver must type the phrase and a reason: they would approve changes nobody was shown.
    expect(preview.flagged).toBe(true);

    pipeline.reset();
    pipeline.on(GetPipelineStateCommand).resolves({ stageStates: [] });
    await expect(platform([]).promotionSources()).rejects.toBeInstanceOf(NoPendingPromotionError);
  });
});
