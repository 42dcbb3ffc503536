import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DEFAULT_TTL_HOURS,
  environmentSpecJsonSchema,
  MAX_SUFFIX_LENGTH,
  PHYSICAL_NAME_TEMPLATES,
  parseEnvironmentRequest,
  physicalName,
  SUFFIX_LENGTH_BINDING,
} from '.';
import { minimal } from './environment-spec.test-support';

describe('the suffix limit', () => {
  it('is derived from the physical name that leaves the least room', () => {
    const longest = `a${'b'.repeat(MAX_SUFFIX_LENGTH - 1)}`;
    const context = {
      suffix: longest,
      account: '123456789012',
      region: 'ap-southeast-1',
      part: 'compliance-evaluator',
    };
    const binding = PHYSICAL_NAME_TEMPLATES[SUFFIX_LENGTH_BINDING.kind];
    expect(physicalName(SUFFIX_LENGTH_BINDING.kind, context)).toHaveLength(binding.limit);
    for (const kind of Object.keys(PHYSICAL_NAME_TEMPLATES) as (keyof typeof PHYSICAL_NAME_TEMPLATES)[]) {
      expect(physicalName(kind, context).length).toBeLessThanOrEqual(PHYSICAL_NAME_TEMPLATES[kind].limit);
    }
  });

  it('names a resource from its template', () => {
    expect(physicalName('dataBucket', { suffix: 'pr-1', account: '123456789012', region: 'us-east-1' })).toBe(
      'sep-data-pr-1-123456789012-us-east-1',
    );
    expect(() => physicalName('dataBucket', { suffix: 'pr-1' })).toThrow('needs a value for {account}');
  });
});

describe('the JSON Schema', () => {
  it('is generated from the zod schema and the committed copy is current', () => {
    const committed = JSON.parse(
      readFileSync(join(__dirname, '../generated/environment-spec.schema.json'), 'utf8'),
    );
    expect(committed).toEqual(environmentSpecJsonSchema());
  });

  it('carries the suffix rules and refuses unknown fields', () => {
    const schema = environmentSpecJsonSchema() as {
      properties: { environmentSuffix: { maxLength: number; pattern: string } };
      additionalProperties: boolean;
    };
    expect(schema.properties.environmentSuffix.maxLength).toBe(MAX_SUFFIX_LENGTH);
    expect(new RegExp(schema.properties.environmentSuffix.pattern).test('pr-1')).toBe(true);
    expect(new RegExp(schema.properties.environmentSuffix.pattern).test('pr--1')).toBe(false);
    expect(schema.additionalProperties).toBe(false);
  });
});

describe('EnvironmentRequest (what the portal form submits)', () => {
  const { owner: _owner, ...request } = minimal;

  it('is the spec without owner, with the same defaults', () => {
    const result = parseEnvironmentRequest(request);
    expect(result.success && result.request).toMatchObject({
      environmentSuffix: 'pr-123',
      ttlHours: DEFAULT_TTL_HOURS,
    });
    expect(result.success && 'owner' in result.request).toBe(false);
  });

  it('refuses an owner: the server takes it from the session', () => {
    const result = parseEnvironmentRequest({ ...request, owner: 'mallory' });
    expect(result).toEqual({ success: false, errors: [{ path: 'owner', message: 'unknown field "owner"' }] });
  });

  it('applies the same cross-field rules and messages as the spec', () => {
    const result = parseEnvironmentRequest({ ...request, environmentSuffix: 'staging' });
    expect(result).toEqual({
      success: false,
      errors: [
        {
          path: 'environmentSuffix',
          message: `"staging" is reserved and cannot be used in an ephemeral environment's suffix`,
        },
      ],
    });
  });
});
