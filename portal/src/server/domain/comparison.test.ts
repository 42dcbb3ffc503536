import { parseEnvironmentSpec } from '@sep/spec';
import type { EnvironmentProvenance } from '../platform/port';
import {
  type ComparisonInput,
  compareEnvironments,
  compareQuerySchema,
  environmentComparisonSchema,
} from './comparison';
import { costEstimate } from './environment-views';
import type { ComplianceReport } from './types';

function specOf(kind: 'staging' | 'prod', features: Record<string, unknown> = {}) {
  const parsed = parseEnvironmentSpec({
    environmentSuffix: kind,
    kind,
    owner: 'platform-team',
    project: 'secure-environments',
    costCenter: 'CC-PLATFORM',
    alertEmails: ['platform-alerts@example.com'],
    features,
  });
  if (!parsed.success) throw new Error(JSON.stringify(parsed.errors));
  return parsed.spec;
}

function compliance(rules: ComplianceReport['runtime']['rules'], errors = 0): ComplianceReport {
  return {
    environmentSuffix: 'x',
    static: {
      available: true,
      generatedAt: '2026-12-05T07:00:00.000Z',
      packs: [],
      totals: { rulesChecked: 100, passed: 98 - errors, suppressed: 2, errors },
    },
    runtime: { available: rules.length > 0, rules },
  };
}

function input(
  kind: 'staging' | 'prod',
  options: {
    readonly features?: Record<string, unknown>;
    readonly compliance?: ComplianceReport;
    readonly provenance?: EnvironmentProvenance;
  } = {},
): ComparisonInput {
  const spec = specOf(kind, options.features);
  return {
    detail: {
      environmentSuffix: kind,
      kind,
      status: 'ready',
      region: spec.region,
      spec,
      cost: costEstimate({ region: spec.region, features: spec.features }),
    },
    compliance: options.compliance ?? compliance([]),
    provenance: options.provenance ?? { stacks: [], gaps: [] },
  };
}

const deployed = (resourceTypes: Record<string, number>): EnvironmentProvenance => ({
  stacks: [
    {
      stackName: 'sep-x-environment',
      templateSha256: 'ab'.repeat(32),
      lastDeployedAt: '2026-12-05T06:00:00.000Z',
      resourceTypes,
    },
  ],
  gaps: [],
});

describe('compareEnvironments', () => {
  it('puts two environments side by side and lists what differs: spec, resource counts, cost', () => {
    const staging = input('staging', {
      features: { database: false },
      provenance: deployed({ 'AWS::KMS::Key': 4, 'AWS::S3::Bucket': 3, 'AWS::Lambda::Function': 5 }),
    });
    const prod = input('prod', {
      features: { database: true },
      provenance: deployed({ 'AWS::KMS::Key': 5, 'AWS::S3::Bucket': 3, 'AWS::RDS::DBCluster': 1 }),
    });

    const comparison = compareEnvironments(staging, prod);

    expect(environmentComparisonSchema.safeParse(comparison).success).toBe(true);
    expect(comparison.left.resources).toEqual({
      available: true,
      total: 12,
      byType: { 'AWS::KMS::Key': 4, 'AWS::Lambda::Function': 5, 'AWS::S3::Bucket': 3 },
      templateSha256: 'ab'.repeat(32),
      lastDeployedAt: '2026-12-05T06:00:00.000Z',
    });
    expect(comparison.differences.resources).toEqual([
      { type: 'AWS::KMS::Key', left: 4, right: 5 },
      { type: 'AWS::Lambda::Function', left: 5, right: 0 },
      { type: 'AWS::RDS::DBCluster', left: 0, right: 1 },
    ]);
    const paths = comparison.differences.spec.map((difference) => difference.path);
    expect(paths).toEqual(expect.arrayContaining(['kind', 'features.database']));
    // The suffix always differs: it is not a difference worth listing.
    expect(paths).not.toContain('environmentSuffix');
    expect(comparison.differences.spec.find((d) => d.path === 'features.database')).toEqual({
      path: 'features.database',
      left: 'false',
      right: 'true',
    });
    // The database is priced: prod costs more, by exactly the two estimates' difference.
    expect(comparison.differences.monthlyCostUsd).toBeGreaterThan(0);
    expect(comparison.differences.monthlyCostUsd).toBeCloseTo(
      comparison.right.cost.monthlyUsd - comparison.left.cost.monthlyUsd,
      2,
    );
  });

  it('counts Config results and says why resources are unknown instead of showing zero as fact', () => {
    const left = input('staging', {
      compliance: compliance(
        [
          { ruleName: 'a', compliance: 'COMPLIANT' },
          { ruleName: 'b', compliance: 'NON_COMPLIANT', nonCompliantResources: 2 },
          { ruleName: 'c', compliance: 'INSUFFICIENT_DATA' },
        ],
        1,
      ),
      provenance: {
        stacks: [],
        gaps: [{ field: 'templateHashes', reason: 'stack sep-staging-environment does not exist' }],
      },
    });
    const comparison = compareEnvironments(left, input('prod'));
    expect(comparison.left.compliance).toMatchObject({
      nagAvailable: true,
      nag: { errors: 1 },
      configAvailable: true,
      config: { compliant: 1, nonCompliant: 1, other: 1 },
    });
    expect(comparison.left.resources).toEqual({
      available: false,
      unavailableReason: 'stack sep-staging-environment does not exist',
      total: 0,
      byType: {},
    });
    expect(comparison.right.compliance.unavailableReason).toContain('AWS Config');
    expect(comparison.differences.resources).toEqual([]);
    // Unknown counts are not zero: against a deployed side, no type is listed as differing either.
    const againstDeployed = compareEnvironments(
      left,
      input('prod', { provenance: deployed({ 'AWS::KMS::Key': 4 }) }),
    );
    expect(againstDeployed.differences.resources).toEqual([]);
  });
});

describe('compareQuerySchema', () => {
  it('needs two valid, different suffixes', () => {
    expect(compareQuerySchema.safeParse({ left: 'staging', right: 'prod' }).success).toBe(true);
    const same = compareQuerySchema.safeParse({ left: 'prod', right: 'prod' });
    expect(same.error?.issues.map((issue) => issue.path)).toEqual([['right']]);
    const bad = compareQuerySchema.safeParse({ left: 'Bad_Suffix' });
    expect(bad.error?.issues.map((issue) => issue.path.join('.')).sort()).toEqual(['left', 'right']);
  });
});
