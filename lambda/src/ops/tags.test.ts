import { belongsToEnvironment, environmentTagValue, normalizeTags } from './tags';

describe('environment tag scope', () => {
  it.each([
    ['IAM/EC2/S3 TagSet', [{ Key: 'Environment', Value: 'dev' }]],
    ['lower-case pairs', [{ key: 'Environment', value: 'dev' }]],
    ['a Config tags map', { Environment: 'dev', Owner: 'a' }],
  ])('reads %s', (_label, tags) => {
    expect(belongsToEnvironment(tags, 'dev')).toBe(true);
    expect(environmentTagValue(tags)).toBe('dev');
  });

  it.each([
    ['another environment', { Environment: 'prod' }],
    ['a prefix of the suffix', { Environment: 'de' }],
    ['different case', { Environment: 'DEV' }],
    ['a different key case', { environment: 'dev' }],
    ['no tags', undefined],
    ['garbage', [null, 3, { Key: 'Environment' }]],
  ])('refuses %s', (_label, tags) => {
    expect(belongsToEnvironment(tags, 'dev')).toBe(false);
  });

  it('drops malformed entries', () => {
    expect(normalizeTags([{ Key: 'a', Value: 'b' }, { Key: 1 }, 'x'])).toEqual([{ key: 'a', value: 'b' }]);
  });
});
