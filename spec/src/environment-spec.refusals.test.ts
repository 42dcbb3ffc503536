import {
  MAX_SUFFIX_LENGTH,
  MAX_TTL_HOURS,
  parseEnvironmentSpec,
  RESERVED_SUFFIX_WORDS,
  ROUTE_NAME_SUFFIXES,
} from '.';
import { errorsFor, minimal } from './environment-spec.test-support';

describe('EnvironmentSpec', () => {
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
