import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { NAG_REPORT_FILE } from '@sep/infra';
import { templateHash } from '@sep/registry/template-hash';
import { App } from 'aws-cdk-lib';
import { mockClient } from 'aws-sdk-client-mock';
import type { EnvironmentStageFactory } from './environment-stages';
import { accountSecurityStageFactory, createSecureEnvironmentStage } from './infra-stages';
import { findNagReports, publishNagReports, withSpecs } from './nag-reports';
import { environment, synthesizePipeline } from './test-support/pipeline-fixture';
import { createSmallEnvironmentStage } from './test-support/small-stages';

const s3 = mockClient(S3Client);
beforeEach(() => s3.reset());

/** The small test stage, writing `nag-report.json` into its assembly directory as infra's stage does. */
const reportingStage: EnvironmentStageFactory = (scope, id, props) => {
  const stage = createSmallEnvironmentStage(scope, id, props);
  stage.node.addValidation({
    validate: () => {
      const report = {
        stage: stage.stageName,
        packs: [{ pack: 'AwsSolutions', rulesChecked: 1, passed: 1 }],
      };
      writeFileSync(join(stage.outdir, NAG_REPORT_FILE), JSON.stringify(report));
      return [];
    },
  });
  return stage;
};

function synthesizedAssembly(): string {
  const { app } = synthesizePipeline({
    environments: [
      environment({ environmentSuffix: 'pr-1' }),
      environment({ environmentSuffix: 'pr-2' }),
      // The lone staging and prod stages are named `staging` and `prod`, whatever their suffix.
      environment({ environmentSuffix: 'preprod', kind: 'staging', alertEmails: ['ops@example.com'] }),
      environment({ environmentSuffix: 'live', kind: 'prod', alertEmails: ['ops@example.com'] }),
    ],
    createEnvironmentStage: reportingStage,
  });
  return app.synth().directory;
}

describe('findNagReports', () => {
  const directory = synthesizedAssembly();

  it('finds every environment stage’s report and names it by the stage’s Environment tag', () => {
    const reports = findNagReports(directory);
    expect(reports.map((report) => report.environmentSuffix)).toEqual(['live', 'pr-1', 'pr-2', 'preprod']);
    const live = reports.find((report) => report.environmentSuffix === 'live');
    expect(live?.file).toBe(join(directory, 'assembly-PipelineStack-prod', NAG_REPORT_FILE));
    expect(JSON.parse(readFileSync(live?.file ?? '', 'utf8')).stage).toBe('prod');
    // The stage's stack templates travel with it, for the portal's promotion preview.
    expect(live?.templates?.length).toBeGreaterThan(0);
    for (const template of live?.templates ?? []) {
      expect(template.file.startsWith(join(directory, 'assembly-PipelineStack-prod'))).toBe(true);
      expect(JSON.parse(readFileSync(template.file, 'utf8')).Resources).toBeDefined();
    }
    expect(live?.templates?.map((template) => template.stackName)).toContain('sep-live-environment');
  });

  it('skips stages without a report (account security, or cdk-nag off)', () => {
    const { app } = synthesizePipeline({ environments: [environment({ environmentSuffix: 'pr-1' })] });
    expect(findNagReports(app.synth().directory)).toEqual([]);
  });

  it('refuses a report whose stage does not say which environment it is', () => {
    const app = new App();
    const untagged = reportingStage(app, 'Loose', {
      spec: environment({ environmentSuffix: 'pr-3' }).spec,
      env: { account: '111111111111', region: 'us-east-1' },
      nag: false,
    });
    expect(untagged.stageName).toBe('Loose');
    expect(() => findNagReports(app.synth().directory)).toThrow(
      /assembly-Loose\/nag-report\.json: the stage's stacks must carry one Environment tag naming its environment, found \[\]/,
    );
  });
});

describe('withSpecs', () => {
  it('gives each report the spec of its environment in the registry export, and none to a stage it does not name', () => {
    const reports = [
      { environmentSuffix: 'pr-1', file: '/a/nag-report.json' },
      { environmentSuffix: 'gone', file: '/b/nag-report.json' },
    ];
    const pr1 = { environmentSuffix: 'pr-1', kind: 'ephemeral' as const };
    const other = { environmentSuffix: 'pr-2', kind: 'ephemeral' as const };
    expect(withSpecs(reports, [{ spec: other }, { spec: pr1 }])).toEqual([
      { environmentSuffix: 'pr-1', file: '/a/nag-report.json', spec: pr1 },
      { environmentSuffix: 'gone', file: '/b/nag-report.json' },
    ]);
  });
});

describe('publishNagReports', () => {
  const directory = mkdtempSync(join(tmpdir(), 'sep-nag-reports-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));
  const reportFile = (name: string, content: string) => {
    const file = join(directory, name);
    writeFileSync(file, content);
    return file;
  };
  const client = () => new S3Client({ region: 'us-east-1', maxAttempts: 1 });

  it('puts each report to nag-reports/<suffix>.json as JSON, unchanged', async () => {
    s3.on(PutObjectCommand).resolves({ ETag: '"1"' });
    const content = '{"packs":[]}\n';
    const keys = await publishNagReports({
      client: client(),
      bucket: 'reports-bucket',
      reports: [
        { environmentSuffix: 'pr-2', file: reportFile('a.json', content) },
        { environmentSuffix: 'prod', file: reportFile('b.json', content) },
      ],
    });
    expect(keys).toEqual(['nag-reports/pr-2.json', 'nag-reports/prod.json']);
    const inputs = s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input);
    expect(inputs).toHaveLength(2);
    expect(inputs).toContainEqual({
      Bucket: 'reports-bucket',
      Key: 'nag-reports/prod.json',
      Body: content,
      ContentType: 'application/json',
    });
  });

  it('writes no by-template record for a template it cannot read, and names the template that failed', async () => {
    s3.on(PutObjectCommand).resolves({});
    await expect(
      publishNagReports({
        client: client(),
        bucket: 'reports-bucket',
        reports: [
          {
            environmentSuffix: 'prod',
            file: reportFile('h.json', '{"packs":[]}'),
            templates: [{ stackName: 'sep-prod-environment', file: reportFile('i.json', '{"Resources":') }],
          },
        ],
      }),
    ).rejects.toThrow(/nag-reports\/templates\/sep-prod-environment\.json: SyntaxError: /);
    expect(s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input.Key)).toEqual([
      'nag-reports/prod.json',
    ]);
  });

  it('puts each stage template to nag-reports/templates/<stack>.json beside its report', async () => {
    s3.on(PutObjectCommand).resolves({});
    const template = '{"Resources":{}}\n';
    const keys = await publishNagReports({
      client: client(),
      bucket: 'reports-bucket',
      reports: [
        {
          environmentSuffix: 'prod',
          file: reportFile('f.json', '{"packs":[]}'),
          templates: [{ stackName: 'sep-prod-environment', file: reportFile('g.json', template) }],
        },
      ],
    });
    expect(keys).toEqual([
      `nag-reports/by-template/${templateHash(template)}.json`,
      'nag-reports/prod.json',
      'nag-reports/templates/sep-prod-environment.json',
    ]);
    expect(s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input)).toContainEqual({
      Bucket: 'reports-bucket',
      Key: 'nag-reports/templates/sep-prod-environment.json',
      Body: template,
      ContentType: 'application/json',
    });
  });

  it('puts a by-template record keyed by the canonical template hash, written once', async () => {
    s3.on(PutObjectCommand).resolves({});
    const template = '{ "Resources": { "B": { "Type": "AWS::S3::Bucket" } } }';
    const keys = await publishNagReports({
      client: client(),
      bucket: 'reports-bucket',
      sourceRevision: 'abc123',
      reports: [
        {
          environmentSuffix: 'prod',
          file: reportFile('r.json', '{"packs":[]}'),
          spec: { name: 'prod' },
          templates: [{ stackName: 'sep-prod-environment', file: reportFile('t.json', template) }],
        },
      ],
    });
    const key = `nag-reports/by-template/${templateHash('{"Resources":{"B":{"Type":"AWS::S3::Bucket"}}}')}.json`;
    expect(keys).toContain(key);
    const input = s3
      .commandCalls(PutObjectCommand)
      .map((call) => call.args[0].input)
      .find((put) => put.Key === key);
    expect(input?.IfNoneMatch).toBe('*');
    expect(JSON.parse(String(input?.Body))).toEqual({
      nagReport: { packs: [] },
      spec: { name: 'prod' },
      stackName: 'sep-prod-environment',
      environmentSuffix: 'prod',
      sourceRevision: 'abc123',
    });
  });

  it('puts each staging and prod template under the execution that synthesized it, overwriting a retried Build’s', async () => {
    s3.on(PutObjectCommand).resolves({});
    const executionId = '3f2b7c1e-0a4d-4e8b-9c51-7d2e6f10ab34';
    const stage = (suffix: string, kind: string) => ({
      environmentSuffix: suffix,
      file: reportFile(`x-${suffix}.json`, '{"packs":[]}'),
      spec: { environmentSuffix: suffix, kind },
      templates: [
        {
          stackName: `sep-${suffix}-environment`,
          file: reportFile(`y-${suffix}.json`, `{"Description":"${suffix}"}`),
        },
      ],
    });
    const keys = await publishNagReports({
      client: client(),
      bucket: 'reports-bucket',
      executionId,
      reports: [stage('live', 'prod'), stage('preprod', 'staging'), stage('pr-7', 'ephemeral')],
    });
    const byExecution = keys.filter((key) => key.includes('/by-execution/'));
    // The release pipeline deploys staging and prod; an ephemeral stack is never previewed.
    expect(byExecution).toEqual([
      `nag-reports/by-execution/${executionId}/sep-live-environment.json`,
      `nag-reports/by-execution/${executionId}/sep-preprod-environment.json`,
    ]);
    const put = s3
      .commandCalls(PutObjectCommand)
      .map((call) => call.args[0].input)
      .find((input) => input.Key === byExecution[0]);
    expect(put).toEqual({
      Bucket: 'reports-bucket',
      Key: byExecution[0],
      Body: '{"Description":"live"}',
      ContentType: 'application/json',
    });
  });

  it('puts nothing when the execution ID is not one (it would name another key)', async () => {
    s3.on(PutObjectCommand).resolves({});
    await expect(
      publishNagReports({
        client: client(),
        bucket: 'reports-bucket',
        executionId: '../templates',
        reports: [
          {
            environmentSuffix: 'live',
            file: reportFile('z.json', '{"packs":[]}'),
            spec: { kind: 'prod' },
            templates: [{ stackName: 'sep-live-environment', file: reportFile('w.json', '{}') }],
          },
        ],
      }),
    ).rejects.toThrow(/not a pipeline execution ID: "\.\.\/templates"/);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it('counts a by-template record already there (PreconditionFailed) as published', async () => {
    s3.on(PutObjectCommand).callsFake((input: { Key: string }) => {
      if (input.Key.includes('/by-template/')) {
        throw new S3ServiceException({ name: 'PreconditionFailed', $fault: 'client', $metadata: {} });
      }
      return {};
    });
    const keys = await publishNagReports({
      client: client(),
      bucket: 'reports-bucket',
      reports: [
        {
          environmentSuffix: 'prod',
          file: reportFile('r2.json', '{"packs":[]}'),
          templates: [{ stackName: 'sep-prod-environment', file: reportFile('t2.json', '{}') }],
        },
      ],
    });
    expect(keys).toContain(`nag-reports/by-template/${templateHash('{}')}.json`);
  });

  it('tries every report, then fails naming each one that was not published', async () => {
    const denied = new S3ServiceException({
      name: 'AccessDenied',
      $fault: 'client',
      $metadata: { httpStatusCode: 403 },
      message: 'not authorized to perform: s3:PutObject',
    });
    s3.on(PutObjectCommand, { Key: 'nag-reports/pr-1.json' }).rejects(denied);
    s3.on(PutObjectCommand, { Key: 'nag-reports/pr-2.json' }).resolves({});
    await expect(
      publishNagReports({
        client: client(),
        bucket: 'reports-bucket',
        reports: [
          { environmentSuffix: 'pr-1', file: reportFile('c.json', '{}') },
          { environmentSuffix: 'pr-2', file: reportFile('d.json', '{}') },
          { environmentSuffix: 'pr-3', file: reportFile('e.json', '{"packs": [') },
        ],
      }),
    ).rejects.toThrow(
      /^2 of 3 nag reports and templates not published to s3:\/\/reports-bucket:\n {2}nag-reports\/pr-1\.json: AccessDenied: not authorized to perform: s3:PutObject\n {2}nag-reports\/pr-3\.json: SyntaxError: /,
    );
    expect(s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input.Key)).toEqual([
      'nag-reports/pr-1.json',
      'nag-reports/pr-2.json',
    ]);
  });
});

it('publishes the report the real SecureEnvironmentStage writes with cdk-nag on', async () => {
  const environments = [environment({ environmentSuffix: 'pr-42' })];
  const { app } = synthesizePipeline({
    environments,
    nag: true,
    createEnvironmentStage: createSecureEnvironmentStage,
    createAccountSecurityStage: accountSecurityStageFactory(environments.map((e) => e.spec)),
  });
  const reports = findNagReports(app.synth().directory);
  expect(reports.map((report) => report.environmentSuffix)).toEqual(['pr-42']);
  s3.on(PutObjectCommand).resolves({});
  await publishNagReports({
    client: new S3Client({ region: 'us-east-1', maxAttempts: 1 }),
    bucket: 'reports-bucket',
    reports,
  });
  const body = JSON.parse(String(s3.commandCalls(PutObjectCommand)[0]?.args[0].input.Body));
  expect(body.packs.map((pack: { pack: string }) => pack.pack).sort()).toEqual(
    ['AwsSolutions', 'NIST.800.53.R5', 'PCI.DSS.321', 'Sep'].sort(),
  );
  expect(body.packs.every((pack: { rulesChecked: number }) => pack.rulesChecked > 0)).toBe(true);
}, 120_000);
