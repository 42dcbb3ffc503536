import { DEFAULT_TTL_HOURS, MAX_SUFFIX_LENGTH, MAX_TTL_HOURS, parseEnvironmentSpec } from '.';
import { errorsFor, minimal } from './environment-spec.test-support';

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
});
