import { SepPolicyChecks } from '@sep/infra';
import { App, Aspects, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { AwsSolutionsChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import { ACCESS_LOG_RETENTION_DAYS } from './access-log-bucket';
import { ComplianceReports, SUPERSEDED_REPORT_DAYS } from './compliance-reports';

const app = new App();
const stack = new Stack(app, 'Platform', { env: { account: '111111111111', region: 'us-east-1' } });
for (const pack of [
  new AwsSolutionsChecks(),
  new PCIDSS321Checks(),
  new NIST80053R5Checks(),
  new SepPolicyChecks(),
]) {
  Aspects.of(stack).add(pack);
}
const key = new kms.Key(stack, 'PlatformKey', { enableKeyRotation: true });
const reports = new ComplianceReports(stack, 'ComplianceReports', { encryptionKey: key });
const writer = new iam.Role(stack, 'Writer', {
  assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com'),
});
for (const statement of reports.publishStatements()) writer.addToPolicy(statement);
const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
for (const statement of reports.readStatements()) reader.addToPolicy(statement);
const template = Template.fromStack(stack);

const ref = (construct: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(construct.node.defaultChild as never);
const bucketArn = { 'Fn::GetAtt': [ref(reports.bucket), 'Arn'] };
const keyArn = { 'Fn::GetAtt': [ref(key), 'Arn'] };
const objectsUnder = (prefix: string) => ({ 'Fn::Join': ['', [bucketArn, `/${prefix}`]] });
const viaS3 = { StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' } };

function statementsOf(role: iam.Role) {
  const policy = Object.values(template.findResources('AWS::IAM::Policy')).find((p) =>
    JSON.stringify(p.Properties.Roles).includes(ref(role)),
  );
  return policy?.Properties.PolicyDocument.Statement;
}

describe('compliance-reports bucket', () => {
  it('is encrypted with the platform key (S3 Bucket Key on), versioned, private and retained', () => {
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            {
              BucketKeyEnabled: true,
              ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn },
            },
          ],
        },
        VersioningConfiguration: { Status: 'Enabled' },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        LoggingConfiguration: {
          DestinationBucketName: { Ref: ref(reports.accessLogBucket) },
          LogFilePrefix: 'compliance-reports/',
        },
      }),
    });
  });

  it('refuses requests without TLS 1.2', () => {
    const policy = Object.values(template.findResources('AWS::S3::BucketPolicy')).find(
      (p) => JSON.stringify(p.Properties.Bucket) === JSON.stringify({ Ref: ref(reports.bucket) }),
    );
    const denies = policy?.Properties.PolicyDocument.Statement.filter(
      (s: { Effect: string }) => s.Effect === 'Deny',
    );
    expect(denies.map((s: { Condition: unknown }) => s.Condition)).toEqual(
      expect.arrayContaining([
        { Bool: { 'aws:SecureTransport': 'false' } },
        { NumericLessThan: { 's3:TlsVersion': 1.2 } },
      ]),
    );
  });

  it('expires superseded reports, never the current ones, each execution’s templates by age, and keeps access logs a year', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: [
          Match.objectLike({
            Id: 'expire-superseded-reports',
            NoncurrentVersionExpiration: { NoncurrentDays: SUPERSEDED_REPORT_DAYS },
            ExpirationInDays: Match.absent(),
          }),
          // Each execution's templates are its own (no later synth supersedes them): they expire by age.
          {
            Id: 'expire-execution-templates',
            Prefix: 'nag-reports/by-execution/',
            ExpirationInDays: SUPERSEDED_REPORT_DAYS,
            Status: 'Enabled',
          },
        ],
      },
    });
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        LifecycleConfiguration: {
          Rules: [
            Match.objectLike({ Id: 'expire-access-logs', ExpirationInDays: ACCESS_LOG_RETENTION_DAYS }),
          ],
        },
      }),
    });
  });

  it('leaves no unsuppressed AwsSolutions, PCIDSS321, NIST80053R5 or Sep finding', () => {
    const annotations = Annotations.fromStack(stack);
    const any = Match.stringLikeRegexp('.*');
    // The buckets' findings (the test's writer and reader roles only carry the statements).
    const findings = [...annotations.findError('*', any), ...annotations.findWarning('*', any)]
      .filter((finding) => finding.id.startsWith('/Platform/ComplianceReports/'))
      .map((finding) => `${finding.id}: ${String(finding.entry.data).split('\n')[0]}`);
    expect(findings).toEqual([]);
  });
});

describe('who may do what with the reports', () => {
  it('lets the synth put reports under nag-reports/ and nothing else, encrypting through S3 only', () => {
    expect(statementsOf(writer)).toEqual([
      {
        Sid: 'PublishNagReports',
        Effect: 'Allow',
        Action: 's3:PutObject',
        Resource: objectsUnder('nag-reports/*'),
      },
      {
        Sid: 'NagReportsKeyEncrypt',
        Effect: 'Allow',
        Action: 'kms:GenerateDataKey',
        Resource: keyArn,
        Condition: viaS3,
      },
    ]);
  });

  it('lets the portal read reports under nag-reports/, decrypting through S3 only', () => {
    expect(statementsOf(reader)).toEqual([
      {
        Sid: 'ReadNagReports',
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: objectsUnder('nag-reports/*'),
      },
      // Without ListBucket a missing report answers 403 AccessDenied, not 404 NoSuchKey.
      { Sid: 'ListNagReports', Effect: 'Allow', Action: 's3:ListBucket', Resource: bucketArn },
      {
        Sid: 'NagReportsKeyDecrypt',
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: keyArn,
        Condition: viaS3,
      },
    ]);
  });
});
