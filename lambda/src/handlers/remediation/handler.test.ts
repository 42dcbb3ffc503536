import {
  ListAccessKeysCommand,
  ListUserTagsCommand,
  NoSuchEntityException,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { REMEDIATION_ACTIONS } from '../../ops/remediation/actions';
import { ValidationError } from '../../shared/errors';
import { loadConfig } from './config';
import {
  accessKeyFinding,
  alerts,
  auditItems,
  awsError,
  configChange,
  context,
  documents,
  ec2,
  env,
  guardDuty,
  handlerFor,
  iam,
  mutations,
  ours,
  s3,
  sns,
  theirs,
} from './handler.test-support';

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
