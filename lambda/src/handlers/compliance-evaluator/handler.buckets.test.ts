import { PutCommand } from '@aws-sdk/lib-dynamodb';

import {
  BUCKET_ARN,
  bucketItem,
  CAPTURED,
  changeEvent,
  context,
  documents,
  evaluation,
  handler,
  LOGS_KEY,
  tlsOnlyPolicy,
} from './handler.test-support';

describe('S3 buckets', () => {
  it('COMPLIANT with the data CMK, a TLS-only policy and all public access blocked; reported with the result token and audited', async () => {
    await expect(handler()(changeEvent(bucketItem()), context)).resolves.toMatchObject({
      verdict: { complianceType: 'COMPLIANT' },
    });
    expect(evaluation()).toEqual({
      ResultToken: 'result-token-1',
      Evaluations: [
        {
          ComplianceResourceType: 'AWS::S3::Bucket',
          ComplianceResourceId: 'data-dev',
          ComplianceType: 'COMPLIANT',
          Annotation: 'all checks passed',
          OrderingTimestamp: new Date(CAPTURED),
        },
      ],
    });
    expect(documents.commandCalls(PutCommand)[0]?.args[0].input.Item).toMatchObject({
      pk: BUCKET_ARN,
      sk: `config-evaluation#sep-dev-encryption-tls-public-access@${CAPTURED}`,
      outcome: 'success',
      details: { complianceType: 'COMPLIANT' },
    });
  });

  it('accepts the bare key ID of the data key', async () => {
    const item = bucketItem({
      supplementary: {
        ServerSideEncryptionConfiguration: {
          rules: [
            {
              applyServerSideEncryptionByDefault: {
                sseAlgorithm: 'aws:kms',
                kmsMasterKeyID: '11111111-aaaa-bbbb-cccc-000000000001',
              },
            },
          ],
        },
      },
    });
    await handler()(changeEvent(item), context);
    expect(evaluation()?.Evaluations?.[0]?.ComplianceType).toBe('COMPLIANT');
  });

  it.each([
    [
      'SSE-S3 instead of the CMK',
      {
        ServerSideEncryptionConfiguration: {
          rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }],
        },
      },
      /default encryption/,
    ],
    [
      'another KMS key',
      {
        ServerSideEncryptionConfiguration: {
          rules: [
            { applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyID: LOGS_KEY } },
          ],
        },
      },
      /default encryption/,
    ],
    [
      'a key alias',
      {
        ServerSideEncryptionConfiguration: {
          rules: [
            {
              applyServerSideEncryptionByDefault: {
                sseAlgorithm: 'aws:kms',
                kmsMasterKeyID: 'alias/data-dev',
              },
            },
          ],
        },
      },
      /default encryption/,
    ],
    ['no encryption configuration', { ServerSideEncryptionConfiguration: null }, /default encryption/],
    ['no bucket policy', { BucketPolicy: { policyText: null } }, /TLS/],
    [
      'a policy that only allows',
      {
        BucketPolicy: {
          policyText: JSON.stringify({ Statement: [{ ...tlsOnlyPolicy.Statement[0], Effect: 'Allow' }] }),
        },
      },
      /TLS/,
    ],
    [
      'a TLS deny that misses the objects',
      {
        BucketPolicy: {
          policyText: JSON.stringify({
            Statement: [{ ...tlsOnlyPolicy.Statement[0], Resource: BUCKET_ARN }],
          }),
        },
      },
      /TLS/,
    ],
    ['an unparseable policy', { BucketPolicy: { policyText: '{not json' } }, /TLS/],
    [
      'one public access flag off',
      {
        PublicAccessBlockConfiguration: {
          blockPublicAcls: true,
          ignorePublicAcls: true,
          blockPublicPolicy: false,
          restrictPublicBuckets: true,
        },
      },
      /blockPublicPolicy/,
    ],
    ['no public access block', { PublicAccessBlockConfiguration: undefined }, /public access block/],
  ])('NON_COMPLIANT with %s', async (_label, supplementary, reason) => {
    await handler()(changeEvent(bucketItem({ supplementary })), context);
    const result = evaluation()?.Evaluations?.[0];
    expect(result?.ComplianceType).toBe('NON_COMPLIANT');
    expect(result?.Annotation).toMatch(reason);
    expect(result?.Annotation?.length).toBeLessThanOrEqual(256);
  });

  it('lists every failed check in the audit entry', async () => {
    const item = bucketItem({
      supplementary: {
        ServerSideEncryptionConfiguration: null,
        BucketPolicy: null,
        PublicAccessBlockConfiguration: null,
      },
    });
    await handler()(changeEvent(item), context);
    const details = documents.commandCalls(PutCommand)[0]?.args[0].input.Item?.details;
    expect(details?.failures).toHaveLength(3);
  });
});
