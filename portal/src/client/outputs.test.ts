import { breakableParts, orderOutputs, outputLabel } from './outputs';

it('lists the API URL, API key ID and bucket first', () => {
  const ordered = orderOutputs([
    { key: 'VpcId', value: 'vpc-1' },
    { key: 'DataBucketName', value: 'b' },
    { key: 'ApiKeyId', value: 'k' },
    { key: 'Zeta', value: 'z' },
    { key: 'ApiUrl', value: 'https://x' },
  ]);
  expect(ordered.map((output) => output.key)).toEqual([
    'ApiUrl',
    'ApiKeyId',
    'DataBucketName',
    'VpcId',
    'Zeta',
  ]);
});

it('makes readable labels from output keys', () => {
  expect(outputLabel('ApiUrl')).toBe('API URL');
  expect(outputLabel('ApiKeyId')).toBe('API key ID');
  expect(outputLabel('DataKeyArn')).toBe('Data key ARN');
  expect(outputLabel('KMSKeyArn')).toBe('KMS key ARN');
  expect(outputLabel('data_bucket_name')).toBe('data bucket name');
});

it('splits ARNs and URLs after their separators only, and the parts join back to the value', () => {
  const arn = 'arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab';
  expect(breakableParts(arn)).toEqual([
    'arn:',
    'aws:',
    'kms:',
    'us-',
    'east-',
    '1:',
    '111111111111:',
    'key/',
    '1234abcd-',
    '12ab',
  ]);
  expect(breakableParts(arn).join('')).toBe(arn);
  expect(breakableParts('AbCdE12345')).toEqual(['AbCdE12345']);
});
