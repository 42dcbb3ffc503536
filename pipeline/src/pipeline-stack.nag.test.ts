import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KEY_ADMIN_ACTIONS, MIN_REASON_LENGTH, type NagReport } from '@sep/infra';
import { Template } from 'aws-cdk-lib/assertions';
import { DOC_END, DOC_START, renderPipelineSuppressions } from './nag/suppressions-doc';
import { applyPipelineCompliancePacks, type PipelineStackProps } from './pipeline-stack';
import { buildPipelineStack, environment, ephemeralEnvironments } from './test-support/pipeline-fixture';
import { HOSTING } from './test-support/portal-hosting';

/** PipelineStack with the four packs applied, as `bin/app.ts` builds it when `nag` is on. */
export function nagPipeline(
  environments: PipelineStackProps['environments'],
  props: Partial<PipelineStackProps> = {},
) {
  // The stages run their own packs (nag off for them); here only the pipeline stack's resources are under test.
  const { stack } = buildPipelineStack({ environments, ...props });
  const collector = applyPipelineCompliancePacks(stack);
  const template = Template.fromStack(stack);
  for (const support of stack.regionSupport) Template.fromStack(support.stack);
  return { stack, template, report: collector.report('PipelineStack') };
}

const findings = (report: NagReport) =>
  report.packs.flatMap((pack) =>
    [...pack.errors, ...pack.warnings].map((f) => `${f.ruleId} ${f.resource} ${f.findingId ?? ''}`.trim()),
  );

const crossAccountProd: PipelineStackProps['environments'] = [
  ...ephemeralEnvironments(1),
  environment({
    environmentSuffix: 'prod',
    kind: 'prod',
    account: '222222222222',
    alertEmails: ['o@example.com'],
  }),
];

const scenarios = {
  'no environments yet': [],
  'ephemeral, staging and prod in the pipeline account': [
    ...ephemeralEnvironments(2),
    environment({ environmentSuffix: 'staging', kind: 'staging', alertEmails: ['o@example.com'] }),
    environment({ environmentSuffix: 'prod', kind: 'prod', alertEmails: ['o@example.com'] }),
  ],
  'prod in another account (cross-account keys)': crossAccountProd,
  'staging in another account, prod in another account and region, an ephemeral in a third region': [
    ...ephemeralEnvironments(1),
    environment({ environmentSuffix: 'pr-apac', region: 'ap-southeast-1' }),
    environment({
      environmentSuffix: 'staging',
      kind: 'staging',
      account: '222222222222',
      alertEmails: ['o@example.com'],
    }),
    environment({
      environmentSuffix: 'prod',
      kind: 'prod',
      account: '333333333333',
      region: 'eu-west-1',
      alertEmails: ['o@example.com'],
    }),
  ],
} satisfies Record<string, PipelineStackProps['environments']>;

/** Each scenario synthesized once with the packs; every describe below reads these. */
const synthesized = {
  ...(Object.fromEntries(
    Object.entries(scenarios).map(([name, environments]) => [name, nagPipeline(environments)]),
  ) as Record<keyof typeof scenarios, ReturnType<typeof nagPipeline>>),
  // The portal's image asset adds CDK Pipelines' image-publishing project and role.
  'the portal hosted (Portal stage, image asset)': nagPipeline(ephemeralEnvironments(1), {
    portalHosting: HOSTING,
  }),
};

describe('cdk-nag on PipelineStack (AwsSolutions, PCI DSS 3.2.1, NIST 800-53 R5, Sep)', () => {
  describe.each(Object.entries(synthesized))('%s', (_name, { report }) => {
    it('has no unsuppressed error or warning in any pack', () => {
      expect(findings(report)).toEqual([]);
      for (const pack of report.packs) expect(pack.rulesChecked).toBeGreaterThan(0);
    });

    it('explains every suppression in a sentence a reviewer can check', () => {
      const suppressed = report.packs.flatMap((pack) => pack.suppressed);
      expect(suppressed.length).toBeGreaterThan(0);
      for (const entry of suppressed) {
        expect(entry.reason.length).toBeGreaterThanOrEqual(MIN_REASON_LENGTH);
        expect(entry.reason.length).toBeLessThan(600);
      }
    });

    it('suppresses AwsSolutions-IAM5, IAM4 and Sep-PolicyNoWildcardActions only for named findings, never the bare rule', () => {
      const granular = report.packs
        .flatMap((pack) => pack.suppressed)
        .filter((entry) => /^(AwsSolutions-IAM[45]|Sep-PolicyNoWildcardActions)$/.test(entry.ruleId));
      for (const entry of granular) expect(entry.findingId).toMatch(/^(Action|Resource|Policy)::/);
      // Sep accepts only aws-cdk-lib's generated S3 and KMS grant wildcards, never `*` or `service:*`.
      for (const entry of granular.filter((candidate) => candidate.ruleId.startsWith('Sep-')))
        expect(entry.findingId).toMatch(/^Action::(s3|kms):[A-Za-z]+\*$/);
    });
  });

  it('fixes rather than suppresses: no suppression of log-group encryption, bucket logging/versioning, CodeBuild encryption or the managed Lambda policy', () => {
    const { report } = nagPipeline(scenarios['ephemeral, staging and prod in the pipeline account']);
    const rules = new Set(report.packs.flatMap((pack) => pack.suppressed.map((entry) => entry.ruleId)));
    for (const fixed of [
      'PCI.DSS.321-CloudWatchLogGroupEncrypted',
      'NIST.800.53.R5-CloudWatchLogGroupEncrypted',
      'AwsSolutions-S1',
      'PCI.DSS.321-S3BucketLoggingEnabled',
      'NIST.800.53.R5-S3BucketLoggingEnabled',
      'PCI.DSS.321-S3BucketVersioningEnabled',
      'NIST.800.53.R5-S3BucketVersioningEnabled',
      'AwsSolutions-CB4',
      'AwsSolutions-IAM4',
    ]) {
      expect(rules).not.toContain(fixed);
    }
  });
});

describe('what the pipeline stack fixes instead of suppressing', () => {
  const { stack, template } = synthesized['prod in another account (cross-account keys)'];
  const resolve = (value: unknown) => stack.resolve(value);
  const platformKey = resolve(stack.registry.table.encryptionKey?.keyArn);
  const artifactKey = resolve(stack.artifacts.key.keyArn);

  it('encrypts the smoke-test and TTL-sweeper log groups with the platform key, under the pipeline prefix', () => {
    const groups = Object.values(template.findResources('AWS::Logs::LogGroup')) as {
      Properties: { LogGroupName: string; KmsKeyId: unknown };
    }[];
    expect(groups.map((group) => group.Properties.LogGroupName).sort()).toEqual([
      '/sep/sep-delivery/smoke-test',
      '/sep/sep-delivery/ttl-sweeper',
    ]);
    for (const group of groups) expect(group.Properties.KmsKeyId).toEqual(platformKey);
  });

  it('lets CloudWatch Logs use the platform key only for log groups under that prefix (no kms:*)', () => {
    const keys = template.findResources('AWS::KMS::Key');
    const logicalId = (stack.resolve(platformKey) as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0];
    const statements = (
      keys[logicalId] as { Properties: { KeyPolicy: { Statement: Record<string, unknown>[] } } }
    ).Properties.KeyPolicy.Statement;
    const logs = statements.find((statement) => statement.Sid === 'CloudWatchLogsForPlatformLogGroups');
    expect(logs).toMatchObject({
      Principal: { Service: 'logs.us-east-1.amazonaws.com' },
      Action: [
        'kms:Encrypt',
        'kms:Decrypt',
        'kms:ReEncryptFrom',
        'kms:ReEncryptTo',
        'kms:GenerateDataKey',
        'kms:DescribeKey',
      ],
      Condition: {
        ArnLike: {
          'kms:EncryptionContext:aws:logs:arn': [
            {
              'Fn::Join': [
                '',
                [
                  'arn:',
                  { Ref: 'AWS::Partition' },
                  ':logs:us-east-1:111111111111:log-group:/sep/sep-delivery/*',
                ],
              ],
            },
          ],
        },
      },
    });
    for (const key of Object.values(keys) as { Properties: { KeyPolicy: unknown } }[]) {
      expect(JSON.stringify(key.Properties.KeyPolicy)).not.toContain('"kms:*"');
    }
  });

  it("stores the pipeline's artifacts in its own bucket: its own rotated key, versioned, access-logged, TLS-only, private, retained", () => {
    const bucketId = (stack.resolve(stack.artifacts.bucket.bucketArn) as { 'Fn::GetAtt': [string] })[
      'Fn::GetAtt'
    ][0];
    const bucket = template.findResources('AWS::S3::Bucket')[bucketId] as {
      Properties: Record<string, unknown>;
      DeletionPolicy: string;
    };
    expect(bucket.DeletionPolicy).toBe('Retain');
    expect(bucket.Properties).toMatchObject({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: artifactKey } },
        ],
      },
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: {
        DestinationBucketName: stack.resolve(stack.complianceReports.accessLogBucket.bucketName),
        LogFilePrefix: 'pipeline-artifacts/',
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });
    const policy = JSON.stringify(
      Object.values(template.findResources('AWS::S3::BucketPolicy')).find(
        (p) =>
          JSON.stringify((p as { Properties: { Bucket: unknown } }).Properties.Bucket) ===
          JSON.stringify({ Ref: bucketId }),
      ),
    );
    expect(policy).toContain('"aws:SecureTransport":"false"');
    expect(policy).toContain('"s3:TlsVersion":1.2');
    template.hasResourceProperties('AWS::KMS::Key', {
      Description: 'Secure Environment Portal delivery pipeline artifacts',
      EnableKeyRotation: true,
    });
    template.hasResourceProperties('AWS::CodePipeline::Pipeline', {
      ArtifactStore: { Location: { Ref: bucketId }, EncryptionKey: { Id: artifactKey, Type: 'KMS' } },
    });
  });

  it('lets the other account read artifacts through the artifact key, never through the platform key', () => {
    const keys = template.findResources('AWS::KMS::Key');
    const idOf = (arn: unknown) => (arn as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0];
    expect(JSON.stringify(keys[idOf(artifactKey)])).toContain('222222222222');
    expect(JSON.stringify(keys[idOf(platformKey)])).not.toContain('222222222222');
  });

  it('encrypts every CodeBuild project (synth, self-mutation, assets, smoke) with the artifact key', () => {
    const projects = Object.values(template.findResources('AWS::CodeBuild::Project')) as {
      Properties: { EncryptionKey?: unknown };
    }[];
    expect(projects.length).toBeGreaterThanOrEqual(4);
    for (const project of projects) expect(project.Properties.EncryptionKey).toEqual(artifactKey);
  });

  it('gives the TTL sweeper its own role that writes to its one log group (no AWSLambdaBasicExecutionRole)', () => {
    const roleId = (stack.resolve(stack.sweeper.function.role?.roleArn) as { 'Fn::GetAtt': [string] })[
      'Fn::GetAtt'
    ][0];
    const role = template.findResources('AWS::IAM::Role')[roleId] as { Properties: Record<string, unknown> };
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });
});

describe('cross-region targets: the replication support stacks', () => {
  const { stack } =
    synthesized[
      'staging in another account, prod in another account and region, an ephemeral in a third region'
    ];
  const pipelinePolicy = () => {
    const template = Template.fromStack(stack);
    const roleId = (stack.resolve(stack.pipeline.pipeline.role.roleArn) as { 'Fn::GetAtt': [string] })[
      'Fn::GetAtt'
    ][0];
    const policies = Object.values(template.findResources('AWS::IAM::Policy')) as {
      Properties: { Roles: unknown[]; PolicyDocument: { Statement: Record<string, unknown>[] } };
    }[];
    const policy = policies.find((p) => JSON.stringify(p.Properties.Roles).includes(roleId));
    if (policy === undefined) throw new Error('no policy on the pipeline role');
    return policy.Properties.PolicyDocument.Statement;
  };

  it('has one support stack per other region, each under the same four packs', () => {
    expect(stack.regionSupport.map((support) => support.region).sort()).toEqual([
      'ap-southeast-1',
      'eu-west-1',
    ]);
  });

  it('gives each replication bucket versioning, server access logs, TLS 1.2+ and expiry of superseded versions', () => {
    for (const support of stack.regionSupport) {
      const template = Template.fromStack(support.stack);
      template.hasResourceProperties('AWS::S3::Bucket', {
        VersioningConfiguration: { Status: 'Enabled' },
        LoggingConfiguration: { LogFilePrefix: 'replication/' },
        LifecycleConfiguration: {
          Rules: [{ Status: 'Enabled', NoncurrentVersionExpiration: { NoncurrentDays: 30 } }],
        },
      });
      expect(JSON.stringify(template.findResources('AWS::S3::BucketPolicy'))).toContain(
        '"s3:TlsVersion":1.2',
      );
      template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    }
  });

  it("names every action of each replication key's policy: the pipeline keys' admin list, no kms:* and no grant wildcard", () => {
    for (const support of stack.regionSupport) {
      const keys = Object.values(Template.fromStack(support.stack).findResources('AWS::KMS::Key')) as {
        Properties: { KeyPolicy: { Statement: { Sid?: string; Action: string | string[] }[] } };
      }[];
      expect(keys).toHaveLength(1);
      const statements = keys[0]?.Properties.KeyPolicy.Statement ?? [];
      const actions = statements.flatMap((statement) => ([] as string[]).concat(statement.Action));
      expect(actions.filter((action) => action.includes('*'))).toEqual([]);
      const admin = statements.find((statement) => statement.Sid === 'KeyAdministration');
      expect(([] as string[]).concat(admin?.Action ?? []).sort()).toEqual([...KEY_ADMIN_ACTIONS].sort());
      // The target deploy role still decrypts what it reads, as aws-codepipeline granted it.
      expect(actions).toEqual(
        expect.arrayContaining(['kms:Decrypt', 'kms:DescribeKey', 'kms:ReEncryptFrom']),
      );
    }
  });

  it('never grants the pipeline role a KMS action on Resource "*": each region\'s key is held by its alias', () => {
    const statements = pipelinePolicy();
    for (const statement of statements) {
      if (([] as unknown[]).concat(statement.Action).every((a) => String(a).startsWith('kms:')))
        expect(([] as unknown[]).concat(statement.Resource)).not.toContain('*');
    }
    for (const support of stack.regionSupport) {
      const held = statements.find(
        (statement) =>
          JSON.stringify(statement.Resource).includes(`:kms:${support.region}:`) &&
          JSON.stringify(statement.Condition) ===
            JSON.stringify({ 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': support.keyAlias } }),
      );
      expect(held).toBeDefined();
      expect(support.keyAlias).toMatch(/^alias\//);
    }
  });
});

describe('pipeline/README.md', () => {
  it('lists every suppression of the pipeline stack as generated from these reports (UPDATE_NAG_DOC=1 rewrites it)', () => {
    const reports = [
      synthesized['no environments yet'].report,
      synthesized['prod in another account (cross-account keys)'].report,
      synthesized[
        'staging in another account, prod in another account and region, an ephemeral in a third region'
      ].report,
      synthesized['the portal hosted (Portal stage, image asset)'].report,
    ];
    const readmePath = join(__dirname, '..', 'README.md');
    const readme = readFileSync(readmePath, 'utf8');
    const start = readme.indexOf(DOC_START);
    const end = readme.indexOf(DOC_END);
    expect(start).toBeGreaterThanOrEqual(0);
    const current = readme.slice(start, end + DOC_END.length);
    const generated = renderPipelineSuppressions(reports);
    if (process.env.UPDATE_NAG_DOC === '1' && current !== generated) {
      writeFileSync(readmePath, readme.replace(current, generated));
      return;
    }
    expect(current).toBe(generated);
  });
});
