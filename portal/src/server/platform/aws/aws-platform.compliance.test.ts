import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import {
  DescribeComplianceByConfigRuleCommand,
  DescribeConfigRulesCommand,
} from '@aws-sdk/client-config-service';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, NoSuchBucket, NoSuchKey, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { DynamoDbEnvironmentRegistry } from '@sep/registry';
import { awsRecord, mockAws, testAwsPlatform } from './aws-platform.test-support';

// The compliance answer in aws mode: the cdk-nag report the pipeline's synth published to the
// compliance-reports bucket (nag-reports/<suffix>.json), beside the environment's AWS Config rules.

const { s3, config } = mockAws();
const BUCKET = 'pipelinestack-compliancereportsbucket-1a2b3c';

const record = awsRecord({ environmentSuffix: 'pr-9' });

/** `nag-report.json` as infra's stage writes it (abridged). */
const nagReport = {
  stage: 'pr-9',
  generatedAt: '2026-03-01T10:02:00.000Z',
  packs: [
    {
      pack: 'AwsSolutions',
      rulesChecked: 40,
      passed: 38,
      suppressed: [
        {
          ruleId: 'AwsSolutions-S1',
          resource: 'Environment/Storage/AccessLogBucket',
          reason: 'This is the server-access-log target bucket; logging it into itself would loop.',
        },
      ],
      errors: [],
      warnings: [],
    },
    { pack: 'PCI.DSS.321', rulesChecked: 30, passed: 30, suppressed: [], errors: [], warnings: [] },
  ],
};

/** A GetObject body as the SDK hands it out (a stream with `transformToString`). */
const body = (text: string) => ({ transformToString: async () => text }) as never;

function s3Error(name: string, status: number, message: string): S3ServiceException {
  return new S3ServiceException({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
    message,
  });
}

function platform(options: { complianceReportsBucket?: string } = { complianceReportsBucket: BUCKET }) {
  return testAwsPlatform({
    clients: {
      codePipeline: new CodePipelineClient({ region: 'us-east-1', maxAttempts: 1 }),
      s3: new S3Client({ region: 'us-east-1', maxAttempts: 1 }),
    },
    // compliance() never touches the registry (only destroys do).
    registry: new DynamoDbEnvironmentRegistry({
      tableName: 'unused',
      client: new DynamoDBClient({ region: 'us-east-1' }),
    }),
    ...options,
  });
}

beforeEach(() => {
  config.on(DescribeConfigRulesCommand).resolves({
    ConfigRules: [
      {
        ConfigRuleName: 'sep-pr-9-s3-bucket-encrypted',
        Source: { Owner: 'AWS', SourceIdentifier: 'S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED' },
        Scope: { TagKey: 'Environment', TagValue: 'pr-9' },
      },
    ],
  });
  config.on(DescribeComplianceByConfigRuleCommand).resolves({
    ComplianceByConfigRules: [
      { ConfigRuleName: 'sep-pr-9-s3-bucket-encrypted', Compliance: { ComplianceType: 'COMPLIANT' } },
    ],
  });
});

const runtimeRules = [{ ruleName: 'sep-pr-9-s3-bucket-encrypted', compliance: 'COMPLIANT' }];

describe('AwsPlatform compliance: the published cdk-nag report', () => {
  it('reads nag-reports/<suffix>.json from the compliance-reports bucket, beside the Config rules', async () => {
    s3.on(GetObjectCommand).resolves({ Body: body(JSON.stringify(nagReport)) });
    const report = await platform().compliance({ record });
    expect(s3.commandCalls(GetObjectCommand).map((call) => call.args[0].input)).toEqual([
      { Bucket: BUCKET, Key: 'nag-reports/pr-9.json' },
    ]);
    expect(report).toEqual({
      environmentSuffix: 'pr-9',
      static: {
        available: true,
        generatedAt: '2026-03-01T10:02:00.000Z',
        packs: nagReport.packs,
        totals: { rulesChecked: 70, passed: 68, suppressed: 1, errors: 0 },
      },
      runtime: { available: true, rules: runtimeRules },
    });
  });

  it('says no report is published yet when the object is missing, and still answers the Config rules', async () => {
    s3.on(GetObjectCommand).rejects(
      new NoSuchKey({ $metadata: { httpStatusCode: 404 }, message: 'The specified key does not exist.' }),
    );
    const report = await platform().compliance({ record });
    expect(report.static).toEqual({
      available: false,
      packs: [],
      totals: { rulesChecked: 0, passed: 0, suppressed: 0, errors: 0 },
      unavailableReason: `no cdk-nag report published yet for this environment (s3://${BUCKET}/nag-reports/pr-9.json): the pipeline's synth publishes it once the stage has been synthesized`,
    });
    expect(report.runtime).toEqual({ available: true, rules: runtimeRules });
  });

  it('reports throttling that outlasted the SDK retries as unavailable, and reads the report on the next refresh', async () => {
    s3.on(GetObjectCommand)
      .rejectsOnce(s3Error('SlowDown', 503, 'Please reduce your request rate.'))
      .resolves({ Body: body(JSON.stringify(nagReport)) });
    const p = platform();
    const throttled = await p.compliance({ record });
    expect(throttled.static.available).toBe(false);
    expect(throttled.static.unavailableReason).toBe(
      `S3 throttled the read of s3://${BUCKET}/nag-reports/pr-9.json past the SDK's retries (SlowDown); it is read again on the next refresh`,
    );
    expect(throttled.runtime.rules).toEqual(runtimeRules);
    const next = await p.compliance({ record });
    expect(next.static).toMatchObject({ available: true, totals: { rulesChecked: 70, suppressed: 1 } });
  });

  it('names the missing permission when the portal role may not read the report', async () => {
    s3.on(GetObjectCommand).rejects(
      s3Error(
        'AccessDenied',
        403,
        'User: arn:aws:sts::111111111111:assumed-role/portal/s is not authorized to perform: kms:Decrypt',
      ),
    );
    const report = await platform().compliance({ record });
    expect(report.static.available).toBe(false);
    expect(report.static.unavailableReason).toBe(
      `the portal may not read s3://${BUCKET}/nag-reports/pr-9.json (AccessDenied: User: arn:aws:sts::111111111111:assumed-role/portal/s is not authorized to perform: kms:Decrypt): its role needs s3:GetObject on nag-reports/*, s3:ListBucket and kms:Decrypt on the platform key, as the pipeline stack's portal role grants`,
    );
    expect(report.runtime.available).toBe(true);
  });

  it('points at the configuration when the bucket does not exist or is not configured', async () => {
    s3.on(GetObjectCommand).rejects(
      new NoSuchBucket({
        $metadata: { httpStatusCode: 404 },
        message: 'The specified bucket does not exist',
      }),
    );
    expect((await platform().compliance({ record })).static.unavailableReason).toBe(
      `bucket ${BUCKET} does not exist: check PORTAL_COMPLIANCE_REPORTS_BUCKET against the pipeline stack's ComplianceReportsBucketName output`,
    );
    const unconfigured = await platform({}).compliance({ record });
    expect(unconfigured.static.unavailableReason).toMatch(/^PORTAL_COMPLIANCE_REPORTS_BUCKET is not set/);
    expect(unconfigured.runtime.rules).toEqual(runtimeRules);
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(1);
  });

  it('refuses an object that is not a nag report rather than showing zeros', async () => {
    s3.on(GetObjectCommand)
      .resolvesOnce({ Body: body('{"packs": [') })
      .resolves({ Body: body('{"rules": []}') });
    const reason = `s3://${BUCKET}/nag-reports/pr-9.json is not a cdk-nag report this portal can read (nag-report.json format)`;
    expect((await platform().compliance({ record })).static).toMatchObject({
      available: false,
      unavailableReason: reason,
    });
    expect((await platform().compliance({ record })).static).toMatchObject({
      available: false,
      unavailableReason: reason,
    });
  });
});
