// The remediation handler on resources: an S3 bucket's public access block, an instance's quarantine and a
// security group open to the internet.
import {
  CreateTagsCommand,
  DescribeInstancesCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  ModifyNetworkInterfaceAttributeCommand,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import {
  GetBucketTaggingCommand,
  GetPublicAccessBlockCommand,
  PutPublicAccessBlockCommand,
} from '@aws-sdk/client-s3';
import { REMEDIATION_ACTIONS } from '../../ops/remediation/actions';
import {
  alerts,
  auditItems,
  awsError,
  bucketFinding,
  configChange,
  context,
  ec2,
  handlerFor,
  instanceFinding,
  mutations,
  ours,
  QUARANTINE,
  s3,
  theirs,
} from './handler.test-support';

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
