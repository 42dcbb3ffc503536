import { canonicalTemplate, templateHash, templateRecordKey } from './template-hash';

describe('templateHash', () => {
  const template = { Resources: { Bucket: { Type: 'AWS::S3::Bucket', Properties: { A: 1, B: [2, 3] } } } };

  it('hashes the same template the same whatever its whitespace and key order', () => {
    const reordered =
      '{\n  "Resources": { "Bucket": { "Properties": { "B": [2, 3], "A": 1 }, "Type": "AWS::S3::Bucket" } }\n}';
    expect(templateHash(reordered)).toBe(templateHash(template));
    expect(templateHash(JSON.stringify(template, null, 2))).toBe(templateHash(template));
  });

  it('hashes a changed value differently', () => {
    const changed = { Resources: { Bucket: { Type: 'AWS::S3::Bucket', Properties: { A: 2, B: [2, 3] } } } };
    expect(templateHash(changed)).not.toBe(templateHash(template));
  });

  it('keeps array order, which is meaningful in a template', () => {
    const swapped = { Resources: { Bucket: { Type: 'AWS::S3::Bucket', Properties: { A: 1, B: [3, 2] } } } };
    expect(templateHash(swapped)).not.toBe(templateHash(template));
  });

  it('serializes with sorted keys and no whitespace', () => {
    expect(canonicalTemplate('{ "b": 1, "a": { "d": 2, "c": 3 } }')).toBe('{"a":{"c":3,"d":2},"b":1}');
  });

  it('is a sha256 hex digest addressing a by-template record', () => {
    expect(templateHash(template)).toMatch(/^[0-9a-f]{64}$/);
    expect(templateRecordKey('abc')).toBe('nag-reports/by-template/abc.json');
  });
});
