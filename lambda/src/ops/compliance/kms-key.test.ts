import { isSameKmsKey } from './kms-key';

const ARN = 'arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab';

describe('isSameKmsKey', () => {
  it('accepts the ARN or its bare key ID', () => {
    expect(isSameKmsKey(ARN, ARN)).toBe(true);
    expect(isSameKmsKey('1234abcd-12ab-34cd-56ef-1234567890ab', ARN)).toBe(true);
  });

  it.each([
    ['an alias', 'alias/data'],
    ['an alias ARN', 'arn:aws:kms:us-east-1:111111111111:alias/data'],
    ['another key', 'arn:aws:kms:us-east-1:111111111111:key/ffffffff-12ab-34cd-56ef-1234567890ab'],
    [
      'the same key ID in another account',
      'arn:aws:kms:us-east-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    ],
    ['empty', ''],
    ['absent', undefined],
  ])('refuses %s', (_label, configured) => {
    expect(isSameKmsKey(configured, ARN)).toBe(false);
  });
});
