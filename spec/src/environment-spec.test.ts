import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DEFAULT_TTL_HOURS,
  type EnvironmentSpecInput,
  environmentSpecJsonSchema,
  MAX_SUFFIX_LENGTH,
  MAX_TTL_HOURS,
  PHYSICAL_NAME_TEMPLATES,
  parseEnvironmentRequest,
  parseEnvironmentSpec,
  physicalName,
  RESERVED_SUFFIX_WORDS,
  ROUTE_NAME_SUFFIXES,
  SUFFIX_LENGTH_BINDING,
} from '.';

const minimal: EnvironmentSpecInput = {
  environmentSuffix: 'pr-123',
  kind: 'ephemeral',
  owner: 'alice@example.com',
  project: 'payments',
  costCenter: 'CC-1042',
};

function errorsFor(input: unknown) {
  const result = parseEnvironmentSpec(input);
  if (result.success) throw new Error(`expected a refusal, got ${JSON.stringify(result.spec)}`);
  return result.errors;
}

describe('EnvironmentSpec', () => {
  describe('a valid ephemeral request', () => {
    it('gets every default applied', () => {
      const result = parseEnvironmentSpec(minimal);
      expect(result).toEqual({
        success: true,
        spec: {
          ...minimal,
          dataClassification: 'confidential',
          complianceLevel: 'pci-dss',
          region: 'us-east-1',
          features: {
            database: false,
            networkFirewall: false,
            waf: true,
            documentPipeline: true,
            guardDutyRemediation: true,
            apiEndpointType: 'REGIONAL',
          },
          alertEmails: [],
          allowedCidrs: ['10.0.0.0/8'],
          ttlHours: DEFAULT_TTL_HOURS,
        },
      });
    });

    it('keeps the options it was given', () => {
      const result = parseEnvironmentSpec({
        ...minimal,
        region: 'ap-southeast-1',
        account: '123456789012',
        features: { database: true, apiEndpointType: 'PRIVATE' },
        ttlHours: MAX_TTL_HOURS,
        existingDatabaseSecretArn:
          'arn:aws:secretsmanager:ap-southeast-1:123456789012:secret:db/master-AbC123',
      });
      expect(result.success && result.spec).toMatchObject({
        region: 'ap-southeast-1',
        account: '123456789012',
        features: { database: true, apiEndpointType: 'PRIVATE', waf: true },
        ttlHours: MAX_TTL_HOURS,
      });
    });

    it.each(['ab', 'pr-1', 'a1-b2-c3', 'feature-login-flow'])(
      'accepts the suffix %s',
      (environmentSuffix) => {
        expect(parseEnvironmentSpec({ ...minimal, environmentSuffix }).success).toBe(true);
      },
    );

    it('accepts a suffix of exactly the maximum length', () => {
      const environmentSuffix = `a${'b'.repeat(MAX_SUFFIX_LENGTH - 1)}`;
      expect(parseEnvironmentSpec({ ...minimal, environmentSuffix }).success).toBe(true);
    });
  });

  describe('a valid persistent environment', () => {
    it.each(['staging', 'prod'] as const)('%s may use its reserved name and has no TTL', (kind) => {
      const result = parseEnvironmentSpec({
        ...minimal,
        environmentSuffix: kind,
        kind,
        alertEmails: ['secops@example.com'],
      });
      expect(result.success).toBe(true);
      expect(result.success && result.spec.ttlHours).toBeUndefined();
    });

    it('accepts a cross-account auditor with its external ID', () => {
      const crossAccountAuditor = { accountId: '222222222222', externalId: 'sep-audit-7f3c' };
      const result = parseEnvironmentSpec({ ...minimal, crossAccountAuditor });
      expect(result.success && result.spec.crossAccountAuditor).toEqual(crossAccountAuditor);
    });
  });

  describe('refuses in staging and prod (audit findings, issue 12)', () => {
    const persistent = (kind: 'staging' | 'prod') => ({
      ...minimal,
      environmentSuffix: kind,
      kind,
      alertEmails: ['secops@example.com'],
    });

    it.each(['staging', 'prod'] as const)(
      '%s without WAF or GuardDuty remediation, field by field',
      (kind) => {
        expect(
          errorsFor({ ...persistent(kind), features: { waf: false, guardDutyRemediation: false } }),
        ).toEqual([
          { path: 'features.waf', message: `waf cannot be switched off in a ${kind} environment` },
          {
            path: 'features.guardDutyRemediation',
            message: `guardDutyRemediation cannot be switched off in a ${kind} environment`,
          },
        ]);
      },
    );

    it.each(['staging', 'prod'] as const)('%s importing a database secret it could not rotate', (kind) => {
      expect(
        errorsFor({
          ...persistent(kind),
          existingDatabaseSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:db/master-AbC123',
        }),
      ).toEqual([
        {
          path: 'existingDatabaseSecretArn',
          message: `a ${kind} environment cannot import a database secret: it uses its own, rotated every 30 days`,
        },
      ]);
    });

    it('a cross-account auditor without a valid account or external ID', () => {
      expect(
        errorsFor({ ...minimal, crossAccountAuditor: { accountId: '12', externalId: 'x' } }).map(
          (e) => e.path,
        ),
      ).toEqual(['crossAccountAuditor.accountId', 'crossAccountAuditor.externalId']);
    });
  });

  describe('refuses', () => {
    it.each([
      ['uppercase', 'Pr-123', 'environmentSuffix must be lowercase'],
      ['a leading digit', '1pr', 'environmentSuffix must start with a lowercase letter'],
      ['a leading hyphen', '-pr', 'environmentSuffix must start with a lowercase letter'],
      ['a double hyphen', 'pr--123', 'environmentSuffix must not contain consecutive hyphens'],
      ['a trailing hyphen', 'pr-123-', 'environmentSuffix must not end with a hyphen'],
      [
        'an underscore',
        'pr_123',
        'environmentSuffix may contain only lowercase letters, digits and single hyphens',
      ],
      ['a dot', 'pr.123', 'environmentSuffix may contain only lowercase letters, digits and single hyphens'],
      ['one character', 'p', 'environmentSuffix must be at least 2 characters'],
      [
        'one character over the maximum',
        `a${'b'.repeat(MAX_SUFFIX_LENGTH)}`,
        `environmentSuffix must be at most ${MAX_SUFFIX_LENGTH} characters (the longest that fits every AWS name the stage builds)`,
      ],
    ])('a suffix with %s', (_case, environmentSuffix, message) => {
      expect(errorsFor({ ...minimal, environmentSuffix })).toEqual([{ path: 'environmentSuffix', message }]);
    });

    it('a missing suffix', () => {
      const { environmentSuffix: _omitted, ...rest } = minimal;
      expect(errorsFor(rest)).toEqual([
        { path: 'environmentSuffix', message: 'environmentSuffix is required' },
      ]);
    });

    it.each(RESERVED_SUFFIX_WORDS.map((word) => [word]))(
      'the reserved word "%s" for an ephemeral environment',
      (word) => {
        expect(errorsFor({ ...minimal, environmentSuffix: word })).toEqual([
          {
            path: 'environmentSuffix',
            message: `"${word}" is reserved and cannot be used in an ephemeral environment's suffix`,
          },
        ]);
      },
    );

    it.each(
      ROUTE_NAME_SUFFIXES.flatMap((suffix) =>
        (['ephemeral', 'staging'] as const).map((kind) => [suffix, kind]),
      ),
    )('the name of a portal page ("%s") as the suffix of a %s environment', (suffix, kind) => {
      const request =
        kind === 'ephemeral'
          ? { ...minimal, environmentSuffix: suffix }
          : { ...minimal, kind, environmentSuffix: suffix };
      expect(errorsFor(request)).toContainEqual({
        path: 'environmentSuffix',
        message: `"${suffix}" is the name of a portal page and cannot be an environment's suffix`,
      });
    });

    it('a portal page name as one part of a suffix is fine', () => {
      expect(parseEnvironmentSpec({ ...minimal, environmentSuffix: 'new-checkout' }).success).toBe(true);
    });

    it('a reserved word as one part of an ephemeral suffix', () => {
      expect(errorsFor({ ...minimal, environmentSuffix: 'pr-prod-fix' })).toEqual([
        {
          path: 'environmentSuffix',
          message: `"prod" is reserved and cannot be used in an ephemeral environment's suffix`,
        },
      ]);
    });

    it.each(['staging', 'prod'] as const)('ttlHours on a %s environment', (kind) => {
      expect(
        errorsFor({
          ...minimal,
          environmentSuffix: kind,
          kind,
          ttlHours: 24,
          alertEmails: ['a@example.com'],
        }),
      ).toEqual([
        {
          path: 'ttlHours',
          message: `ttlHours applies only to ephemeral environments; a ${kind} environment has no TTL`,
        },
      ]);
    });

    it('a persistent environment with nobody to alert', () => {
      expect(errorsFor({ ...minimal, environmentSuffix: 'prod', kind: 'prod' })).toEqual([
        { path: 'alertEmails', message: 'a prod environment needs at least one alert email' },
      ]);
    });

    it.each([
      [0, 'ttlHours must be at least 1'],
      [MAX_TTL_HOURS + 1, `ttlHours must be at most ${MAX_TTL_HOURS} (two weeks)`],
      [1.5, 'ttlHours must be a whole number of hours'],
      ['24', 'ttlHours must be a number'],
    ])('ttlHours %p', (ttlHours, message) => {
      expect(errorsFor({ ...minimal, ttlHours })).toEqual([{ path: 'ttlHours', message }]);
    });

    it('an unknown region', () => {
      expect(errorsFor({ ...minimal, region: 'mars-north-1' })).toEqual([
        {
          path: 'region',
          message: expect.stringMatching(/^region must be one of us-east-1, .*ap-southeast-1/),
        },
      ]);
    });

    it('unknown fields, at the top level and inside features', () => {
      expect(errorsFor({ ...minimal, colour: 'blue', features: { gpu: true } })).toEqual([
        { path: 'features.gpu', message: 'unknown field "gpu"' },
        { path: 'colour', message: 'unknown field "colour"' },
      ]);
    });

    it('an unknown kind', () => {
      expect(errorsFor({ ...minimal, kind: 'sandbox' })).toEqual([
        { path: 'kind', message: 'kind must be one of ephemeral, staging, prod' },
      ]);
    });

    it('an account that is not 12 digits', () => {
      expect(errorsFor({ ...minimal, account: '12345' })).toEqual([
        { path: 'account', message: 'account must be a 12-digit AWS account ID' },
      ]);
    });

    it('an empty owner and a tag value with forbidden characters', () => {
      expect(errorsFor({ ...minimal, owner: '  ', project: 'pay<script>' })).toEqual([
        { path: 'owner', message: 'owner is required' },
        {
          path: 'project',
          message:
            'project may contain only letters, digits, spaces and _ . : / = + - @ (AWS tag value rules)',
        },
      ]);
    });

    it.each([
      ['0.0.0.0/0', 'must be /8 or narrower (0.0.0.0/0 and other wide ranges are refused)'],
      ['10.0.0.0/33', 'must be an IPv4 CIDR such as 10.20.0.0/16'],
      ['not-a-cidr', 'must be an IPv4 CIDR such as 10.20.0.0/16'],
    ])('the allowed CIDR %s', (cidr, message) => {
      expect(errorsFor({ ...minimal, allowedCidrs: ['10.1.0.0/16', cidr] })).toEqual([
        { path: 'allowedCidrs.1', message },
      ]);
    });

    it('an empty list of allowed CIDRs', () => {
      expect(errorsFor({ ...minimal, allowedCidrs: [] })).toEqual([
        { path: 'allowedCidrs', message: 'at least one CIDR is required for human-assumable roles' },
      ]);
    });

    it('an alert email that is not an email', () => {
      expect(errorsFor({ ...minimal, alertEmails: ['ops@example.com', 'ops'] })).toEqual([
        { path: 'alertEmails.1', message: 'must be an email address' },
      ]);
    });

    it('a feature toggle of the wrong type and an unknown endpoint type', () => {
      const errors = errorsFor({ ...minimal, features: { waf: 'yes', apiEndpointType: 'EDGE' } });
      expect(errors.map((error) => error.path)).toEqual(['features.waf', 'features.apiEndpointType']);
    });

    it('an existing secret that is not a secret ARN, or in another region', () => {
      expect(errorsFor({ ...minimal, existingDatabaseSecretArn: 'db/master' })).toEqual([
        {
          path: 'existingDatabaseSecretArn',
          message: 'existingDatabaseSecretArn must be a full Secrets Manager secret ARN',
        },
      ]);
      expect(
        errorsFor({
          ...minimal,
          existingDatabaseSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:db/master-AbC123',
        }),
      ).toEqual([
        {
          path: 'existingDatabaseSecretArn',
          message: 'the secret is in eu-west-1 but the environment is in us-east-1',
        },
      ]);
    });

    it('something that is not an object at all', () => {
      expect(errorsFor('prod')).toEqual([{ path: '(root)', message: expect.any(String) }]);
    });

    it('every bad field at once, one entry per field', () => {
      const errors = errorsFor({
        environmentSuffix: 'Bad',
        kind: 'ephemeral',
        owner: '',
        project: 'p',
        costCenter: 'c',
        region: 'x',
      });
      expect(errors.map((error) => error.path)).toEqual(['environmentSuffix', 'owner', 'region']);
    });
  });
});

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
