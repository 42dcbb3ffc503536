import {
  CreateTagsCommand,
  DescribeInstancesCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  ModifyNetworkInterfaceAttributeCommand,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import {
  IAMClient,
  ListAccessKeysCommand,
  ListUserTagsCommand,
  NoSuchEntityException,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import {
  GetBucketTaggingCommand,
  GetPublicAccessBlockCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { PublishCommand } from '@aws-sdk/client-sns';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { REMEDIATION_ACTIONS } from '../../ops/remediation/actions';
import { ValidationError } from '../../shared/errors';
import { auditAndAlertClients, COMMON_ENV, mockAuditAndAlerts } from '../../shared/handler.test-support';
import { loadConfig } from './config';
import { createRemediationHandler } from './handler';

const iam = mockClient(IAMClient);
const s3 = mockClient(S3Client);
const ec2 = mockClient(EC2Client);
const { documents, sns } = mockAuditAndAlerts();

const QUARANTINE = 'sg-0aaaaaaaaaaaaaaaa';
const env = {
  ...COMMON_ENV,
  DATA_CLASSIFICATION: 'confidential',
  DRY_RUN: 'false',
  QUARANTINE_SECURITY_GROUP_ID: QUARANTINE,
  LOG_LEVEL: 'error',
};
const ours = [{ Key: 'Environment', Value: 'dev' }];
const theirs = [{ Key: 'Environment', Value: 'prod' }];

function handlerFor(overrides: Record<string, string> = {}) {
  return createRemediationHandler(loadConfig({ ...env, ...overrides }), {
    iam: new IAMClient({ region: 'us-east-1' }),
    s3: new S3Client({ region: 'us-east-1' }),
    ec2: new EC2Client({ region: 'us-east-1' }),
    ...auditAndAlertClients(),
  });
}
const context = { functionName: 'remediation-dev' };

function awsError(name: string, status = 400): Error {
  return Object.assign(new Error(`${name} from AWS`), { name, $metadata: { httpStatusCode: status } });
}

function guardDuty(resource: Record<string, unknown>, severity = 8) {
  return {
    version: '0',
    id: 'evt-gd-1',
    'detail-type': 'GuardDuty Finding',
    source: 'aws.guardduty',
    account: '111111111111',
    region: 'us-east-1',
    detail: { id: 'finding-1', type: 'UnauthorizedAccess:IAMUser/MaliciousIPCaller', severity, resource },
  };
}
const accessKeyFinding = (severity = 8) =>
  guardDuty(
    {
      resourceType: 'AccessKey',
      accessKeyDetails: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', userName: 'ci-bot', userType: 'IAMUser' },
    },
    severity,
  );
const bucketFinding = () => guardDuty({ resourceType: 'S3Bucket', s3BucketDetails: [{ name: 'data-dev' }] });
const instanceFinding = () =>
  guardDuty({ resourceType: 'Instance', instanceDetails: { instanceId: 'i-0123456789abcdef0' } });

function configChange(resourceType: string, resourceId: string, complianceType = 'NON_COMPLIANT') {
  return {
    version: '0',
    id: 'evt-cfg-1',
    'detail-type': 'Config Rules Compliance Change',
    source: 'aws.config',
    account: '111111111111',
    region: 'us-east-1',
    detail: { resourceId, resourceType, configRuleName: 'dev-rule', newEvaluationResult: { complianceType } },
  };
}

const mutations = () =>
  iam.commandCalls(UpdateAccessKeyCommand).length +
  s3.commandCalls(PutPublicAccessBlockCommand).length +
  ec2.commandCalls(CreateTagsCommand).length +
  ec2.commandCalls(ModifyNetworkInterfaceAttributeCommand).length +
  ec2.commandCalls(RevokeSecurityGroupIngressCommand).length;
const auditItems = () => documents.commandCalls(PutCommand).map((c) => c.args[0].input.Item);
const alerts = () => sns.commandCalls(PublishCommand).map((c) => c.args[0].input);

beforeEach(() => {
  for (const mock of [iam, s3, ec2]) mock.reset();
});

describe('compromised IAM access key (GuardDuty)', () => {
  function serveKey(status: 'Active' | 'Inactive', tags = ours) {
    iam.on(ListUserTagsCommand).resolves({ Tags: tags, IsTruncated: false });
    iam.on(ListAccessKeysCommand).resolves({
      AccessKeyMetadata: [
        { UserName: 'ci-bot', AccessKeyId: 'AKIAOTHERKEY00000000', Status: 'Active' },
        { UserName: 'ci-bot', AccessKeyId: 'AKIAIOSFODNN7EXAMPLE', Status: status },
      ],
      IsTruncated: false,
    });
    iam.on(UpdateAccessKeyCommand).resolves({});
  }

  it('reads the user tag, deactivates only the flagged key, audits and notifies', async () => {
    serveKey('Active');
    await expect(handlerFor()(accessKeyFinding(), context)).resolves.toMatchObject({
      outcome: 'success',
      action: 'deactivate-access-key',
    });
    expect(iam.commandCalls(ListUserTagsCommand)[0]?.args[0].input.UserName).toBe('ci-bot');
    expect(iam.commandCalls(UpdateAccessKeyCommand).map((c) => c.args[0].input)).toEqual([
      { UserName: 'ci-bot', AccessKeyId: 'AKIAIOSFODNN7EXAMPLE', Status: 'Inactive' },
    ]);
    expect(auditItems()[0]).toMatchObject({
      pk: 'arn:aws:iam::111111111111:user/ci-bot',
      sk: 'deactivate-access-key#evt-gd-1',
      outcome: 'success',
      actor: 'remediation-dev',
      details: {
        findingId: 'finding-1',
        severity: 8,
        accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
        reversal: REMEDIATION_ACTIONS['deactivate-access-key'].reversal,
      },
    });
    expect(alerts()).toHaveLength(1);
    expect(alerts()[0]?.Subject).toBe('[dev] Remediated: deactivate-access-key');
  });

  it('reads every page of the user tags and keys: a flagged key on the second page is found', async () => {
    iam
      .on(ListUserTagsCommand)
      .resolvesOnce({ Tags: [{ Key: 'Team', Value: 'payments' }], IsTruncated: true, Marker: 'tags-2' })
      .resolvesOnce({ Tags: ours, IsTruncated: false });
    iam
      .on(ListAccessKeysCommand)
      .resolvesOnce({
        AccessKeyMetadata: [{ UserName: 'ci-bot', AccessKeyId: 'AKIAOTHERKEY00000000', Status: 'Active' }],
        IsTruncated: true,
        Marker: 'keys-2',
      })
      .resolvesOnce({
        AccessKeyMetadata: [{ UserName: 'ci-bot', AccessKeyId: 'AKIAIOSFODNN7EXAMPLE', Status: 'Active' }],
        IsTruncated: false,
      });
    iam.on(UpdateAccessKeyCommand).resolves({});
    await expect(handlerFor()(accessKeyFinding(), context)).resolves.toMatchObject({ outcome: 'success' });
    // Two calls each (the SDK's paginator sends the second with the first page's Marker).
    expect(iam.commandCalls(ListUserTagsCommand)).toHaveLength(2);
    expect(iam.commandCalls(ListAccessKeysCommand)).toHaveLength(2);
    expect(iam.commandCalls(UpdateAccessKeyCommand).map((c) => c.args[0].input.AccessKeyId)).toEqual([
      'AKIAIOSFODNN7EXAMPLE',
    ]);
  });

  it('is idempotent: an already inactive key is left alone and not re-notified', async () => {
    serveKey('Inactive');
    await expect(handlerFor()(accessKeyFinding(), context)).resolves.toMatchObject({ outcome: 'skipped' });
    expect(mutations()).toBe(0);
    expect(alerts()).toHaveLength(0);
    expect(auditItems()[0]).toMatchObject({ outcome: 'skipped' });
  });

  it('refuses a user of another environment after reading its tags', async () => {
    serveKey('Active', theirs);
    const result = await handlerFor()(accessKeyFinding(), context);
    expect(result).toMatchObject({
      outcome: 'skipped',
      reason: expect.stringMatching(/found Environment=prod/),
    });
    expect(mutations()).toBe(0);
    expect(alerts()).toHaveLength(0);
  });

  it('DRY_RUN: reads and decides, audits dry-run, notifies what it would do, changes nothing', async () => {
    serveKey('Active');
    await expect(handlerFor({ DRY_RUN: 'true' })(accessKeyFinding(), context)).resolves.toMatchObject({
      outcome: 'dry-run',
    });
    expect(mutations()).toBe(0);
    expect(auditItems()[0]).toMatchObject({ outcome: 'dry-run', details: { dryRun: true } });
    expect(alerts()[0]?.Subject).toMatch(/DRY RUN/);
  });

  it('missing user: skipped and audited, nothing changed', async () => {
    iam
      .on(ListUserTagsCommand)
      .rejects(new NoSuchEntityException({ message: 'no such user', $metadata: {} }));
    await expect(handlerFor()(accessKeyFinding(), context)).resolves.toMatchObject({ outcome: 'skipped' });
    expect(mutations()).toBe(0);
    expect(auditItems()[0]).toMatchObject({ outcome: 'skipped' });
  });

  it('throttling propagates for a Lambda retry with nothing written', async () => {
    iam.on(ListUserTagsCommand).rejects(awsError('Throttling'));
    await expect(handlerFor()(accessKeyFinding(), context)).rejects.toThrow('Throttling from AWS');
    expect(documents.calls()).toHaveLength(0);
    expect(sns.calls()).toHaveLength(0);
  });

  it('access denied on the change: audited as a failure and alerted, not retried', async () => {
    serveKey('Active');
    iam.on(UpdateAccessKeyCommand).rejects(awsError('AccessDenied', 403));
    await expect(handlerFor()(accessKeyFinding(), context)).resolves.toMatchObject({ outcome: 'failure' });
    expect(auditItems()[0]).toMatchObject({
      outcome: 'failure',
      sk: 'deactivate-access-key#evt-gd-1:failed',
    });
    expect(alerts()[0]?.Subject).toMatch(/FAILED/);
  });

  it('ignores findings below severity 7 without touching any resource', async () => {
    await expect(handlerFor()(accessKeyFinding(5.5), context)).resolves.toMatchObject({ outcome: 'skipped' });
    expect(iam.calls()).toHaveLength(0);
    expect(auditItems()[0]).toMatchObject({ pk: 'event#evt-gd-1', outcome: 'skipped' });
  });

  it('does not try to deactivate keys of root or assumed roles', async () => {
    const event = guardDuty({
      resourceType: 'AccessKey',
      accessKeyDetails: { accessKeyId: 'ASIAIOSFODNN7EXAMPLE', userName: 'role', userType: 'AssumedRole' },
    });
    await expect(handlerFor()(event, context)).resolves.toMatchObject({
      outcome: 'skipped',
      reason: expect.stringMatching(/AssumedRole/),
    });
    expect(iam.calls()).toHaveLength(0);
  });
});

describe('S3 public access block', () => {
  function serveBucket(block: Record<string, boolean> | 'none', tags: unknown = ours) {
    if (tags === 'none') s3.on(GetBucketTaggingCommand).rejects(awsError('NoSuchTagSet', 404));
    else s3.on(GetBucketTaggingCommand).resolves({ TagSet: tags as typeof ours });
    if (block === 'none')
      s3.on(GetPublicAccessBlockCommand).rejects(awsError('NoSuchPublicAccessBlockConfiguration', 404));
    else s3.on(GetPublicAccessBlockCommand).resolves({ PublicAccessBlockConfiguration: block });
    s3.on(PutPublicAccessBlockCommand).resolves({});
  }
  const full = {
    BlockPublicAcls: true,
    IgnorePublicAcls: true,
    BlockPublicPolicy: true,
    RestrictPublicBuckets: true,
  };

  it.each([
    ['one flag off (GuardDuty)', { ...full, BlockPublicPolicy: false }, bucketFinding()],
    ['no configuration at all (Config)', 'none' as const, configChange('AWS::S3::Bucket', 'data-dev')],
  ])('re-applies all four blocks when %s', async (_label, block, event) => {
    serveBucket(block);
    await expect(handlerFor()(event, context)).resolves.toMatchObject({
      outcome: 'success',
      entity: 'arn:aws:s3:::data-dev',
    });
    expect(s3.commandCalls(PutPublicAccessBlockCommand)[0]?.args[0].input).toEqual({
      Bucket: 'data-dev',
      PublicAccessBlockConfiguration: full,
    });
    expect(auditItems()[0]?.details?.reversal).toBe(REMEDIATION_ACTIONS['block-public-access'].reversal);
  });

  it('leaves a fully blocked bucket alone', async () => {
    serveBucket(full);
    await expect(handlerFor()(bucketFinding(), context)).resolves.toMatchObject({ outcome: 'skipped' });
    expect(mutations()).toBe(0);
  });

  it('refuses an untagged bucket (NoSuchTagSet)', async () => {
    serveBucket({ ...full, BlockPublicAcls: false }, 'none');
    await expect(handlerFor()(bucketFinding(), context)).resolves.toMatchObject({
      outcome: 'skipped',
      reason: expect.stringMatching(/no Environment tag/),
    });
    expect(mutations()).toBe(0);
  });

  it('skips a bucket that no longer exists', async () => {
    s3.on(GetBucketTaggingCommand).rejects(awsError('NoSuchBucket', 404));
    await expect(handlerFor()(bucketFinding(), context)).resolves.toMatchObject({
      outcome: 'skipped',
      reason: expect.stringMatching(/no longer exists/),
    });
    expect(mutations()).toBe(0);
  });

  it('access denied reading the block: failure audited and alerted, nothing changed', async () => {
    s3.on(GetBucketTaggingCommand).resolves({ TagSet: ours });
    s3.on(GetPublicAccessBlockCommand).rejects(awsError('AccessDenied', 403));
    await expect(handlerFor()(bucketFinding(), context)).resolves.toMatchObject({ outcome: 'failure' });
    expect(mutations()).toBe(0);
    expect(alerts()).toHaveLength(1);
  });
});

describe('instance quarantine (GuardDuty)', () => {
  function serveInstance(
    tags = ours,
    groups: [string[], string[]] = [
      ['sg-0bbbbbbbbbbbbbbbb'],
      ['sg-0bbbbbbbbbbbbbbbb', 'sg-0cccccccccccccccc'],
    ],
  ) {
    ec2.on(DescribeInstancesCommand).resolves({
      Reservations: [
        {
          Instances: [
            {
              InstanceId: 'i-0123456789abcdef0',
              State: { Name: 'running' },
              Tags: tags,
              NetworkInterfaces: [
                { NetworkInterfaceId: 'eni-01', Groups: groups[0].map((GroupId) => ({ GroupId })) },
                { NetworkInterfaceId: 'eni-02', Groups: groups[1].map((GroupId) => ({ GroupId })) },
              ],
            },
          ],
        },
      ],
    });
    ec2.on(CreateTagsCommand).resolves({});
    ec2.on(ModifyNetworkInterfaceAttributeCommand).resolves({});
  }

  it('records each ENI’s groups in a tag, then moves it to the quarantine group', async () => {
    serveInstance();
    await expect(handlerFor()(instanceFinding(), context)).resolves.toMatchObject({
      outcome: 'success',
      action: 'quarantine-instance',
    });
    expect(ec2.commandCalls(CreateTagsCommand).map((c) => c.args[0].input)).toEqual([
      { Resources: ['eni-01'], Tags: [{ Key: 'sep:pre-quarantine-groups', Value: 'sg-0bbbbbbbbbbbbbbbb' }] },
      {
        Resources: ['eni-02'],
        Tags: [{ Key: 'sep:pre-quarantine-groups', Value: 'sg-0bbbbbbbbbbbbbbbb,sg-0cccccccccccccccc' }],
      },
    ]);
    expect(ec2.commandCalls(ModifyNetworkInterfaceAttributeCommand).map((c) => c.args[0].input)).toEqual([
      { NetworkInterfaceId: 'eni-01', Groups: [QUARANTINE] },
      { NetworkInterfaceId: 'eni-02', Groups: [QUARANTINE] },
    ]);
    expect(auditItems()[0]?.details).toMatchObject({
      interfaces: [
        { networkInterfaceId: 'eni-01', previousGroups: ['sg-0bbbbbbbbbbbbbbbb'] },
        { networkInterfaceId: 'eni-02', previousGroups: ['sg-0bbbbbbbbbbbbbbbb', 'sg-0cccccccccccccccc'] },
      ],
      reversal: REMEDIATION_ACTIONS['quarantine-instance'].reversal,
    });
  });

  it('is idempotent once every ENI is in quarantine', async () => {
    serveInstance(ours, [[QUARANTINE], [QUARANTINE]]);
    await expect(handlerFor()(instanceFinding(), context)).resolves.toMatchObject({ outcome: 'skipped' });
    expect(mutations()).toBe(0);
  });

  it('refuses an instance of another environment', async () => {
    serveInstance(theirs);
    await expect(handlerFor()(instanceFinding(), context)).resolves.toMatchObject({ outcome: 'skipped' });
    expect(mutations()).toBe(0);
  });

  it('skips an instance that no longer exists', async () => {
    ec2.on(DescribeInstancesCommand).rejects(awsError('InvalidInstanceID.NotFound'));
    await expect(handlerFor()(instanceFinding(), context)).resolves.toMatchObject({ outcome: 'skipped' });
    expect(mutations()).toBe(0);
  });

  it('access denied: reported as UnauthorizedOperation failure', async () => {
    serveInstance();
    ec2.on(ModifyNetworkInterfaceAttributeCommand).rejects(awsError('UnauthorizedOperation', 403));
    await expect(handlerFor()(instanceFinding(), context)).resolves.toMatchObject({ outcome: 'failure' });
  });
});

describe('security group open to the internet (Config)', () => {
  it('revokes only internet-open ingress rules and records them for reversal', async () => {
    ec2
      .on(DescribeSecurityGroupsCommand)
      .resolves({ SecurityGroups: [{ GroupId: 'sg-0ddddddddddddddd1', Tags: ours }] });
    ec2.on(DescribeSecurityGroupRulesCommand).resolves({
      SecurityGroupRules: [
        {
          SecurityGroupRuleId: 'sgr-open4',
          IsEgress: false,
          IpProtocol: 'tcp',
          FromPort: 22,
          ToPort: 22,
          CidrIpv4: '0.0.0.0/0',
        },
        {
          SecurityGroupRuleId: 'sgr-open6',
          IsEgress: false,
          IpProtocol: 'tcp',
          FromPort: 443,
          ToPort: 443,
          CidrIpv6: '::/0',
        },
        {
          SecurityGroupRuleId: 'sgr-vpc',
          IsEgress: false,
          IpProtocol: 'tcp',
          FromPort: 443,
          ToPort: 443,
          CidrIpv4: '10.0.0.0/16',
        },
        { SecurityGroupRuleId: 'sgr-egress', IsEgress: true, IpProtocol: '-1', CidrIpv4: '0.0.0.0/0' },
      ],
    });
    ec2.on(RevokeSecurityGroupIngressCommand).resolves({ Return: true });
    await expect(
      handlerFor()(configChange('AWS::EC2::SecurityGroup', 'sg-0ddddddddddddddd1'), context),
    ).resolves.toMatchObject({
      outcome: 'success',
    });
    expect(ec2.commandCalls(RevokeSecurityGroupIngressCommand)[0]?.args[0].input).toEqual({
      GroupId: 'sg-0ddddddddddddddd1',
      SecurityGroupRuleIds: ['sgr-open4', 'sgr-open6'],
    });
    expect(auditItems()[0]?.details?.revokedRules).toHaveLength(2);
    expect(auditItems()[0]?.details?.reversal).toBe(REMEDIATION_ACTIONS['revoke-open-ingress'].reversal);
  });

  it('skips a group that no longer exists', async () => {
    ec2.on(DescribeSecurityGroupsCommand).rejects(awsError('InvalidGroup.NotFound'));
    await expect(
      handlerFor()(configChange('AWS::EC2::SecurityGroup', 'sg-0ddddddddddddddd1'), context),
    ).resolves.toMatchObject({
      outcome: 'skipped',
    });
  });
});

describe('events that need no action', () => {
  it.each([
    ['a compliant result', configChange('AWS::S3::Bucket', 'data-dev', 'COMPLIANT')],
    ['an unsupported Config resource type', configChange('AWS::SQS::Queue', 'queue')],
    ['an unsupported GuardDuty resource type', guardDuty({ resourceType: 'EKSCluster' })],
  ])('%s: audited as skipped, no resource read or changed', async (_label, event) => {
    await expect(handlerFor()(event, context)).resolves.toMatchObject({ outcome: 'skipped' });
    expect(iam.calls().length + s3.calls().length + ec2.calls().length).toBe(0);
    expect(auditItems()).toHaveLength(1);
  });
});

describe('bad events', () => {
  it.each([
    ['an unknown source', { source: 'aws.ec2', id: 'x' }, 'source'],
    [
      'a string severity',
      { ...accessKeyFinding(), detail: { ...accessKeyFinding().detail, severity: '8' } },
      'detail.severity',
    ],
    ['no account', { ...accessKeyFinding(), account: undefined }, 'account'],
    [
      'an access key finding without a key ID',
      guardDuty({ resourceType: 'AccessKey', accessKeyDetails: { userName: 'ci-bot', userType: 'IAMUser' } }),
      'detail.resource.accessKeyDetails.accessKeyId',
    ],
    [
      'an instance finding with a bad instance ID',
      guardDuty({ resourceType: 'Instance', instanceDetails: { instanceId: 'x; rm -rf' } }),
      'detail.resource.instanceDetails.instanceId',
    ],
    [
      'a Config event without a rule name',
      {
        ...configChange('AWS::S3::Bucket', 'b'),
        detail: {
          resourceId: 'b',
          resourceType: 'AWS::S3::Bucket',
          newEvaluationResult: { complianceType: 'NON_COMPLIANT' },
        },
      },
      'detail.configRuleName',
    ],
  ])('refuses %s, naming the field, with no side effect', async (_label, bad, field) => {
    const error = await handlerFor()(bad, context).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).fields.map((f) => f.path)).toContain(field);
    for (const mock of [iam, s3, ec2, documents, sns]) expect(mock.calls()).toHaveLength(0);
  });

  it('refuses a DRY_RUN that is neither true nor false', () => {
    expect(() => loadConfig({ ...env, DRY_RUN: 'yes' })).toThrow(/DRY_RUN/);
    expect(() => loadConfig({ ...env, QUARANTINE_SECURITY_GROUP_ID: 'default' })).toThrow(
      /QUARANTINE_SECURITY_GROUP_ID/,
    );
  });
});
