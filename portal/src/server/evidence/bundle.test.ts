import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnvironmentSpec } from '@sep/spec';
import type { ComplianceReport } from '../domain/types';
import { buildEvidenceBundle, type EvidenceInput, evidenceBundleSchema } from './bundle';
import { CONFIG_RULE_PARTS, PCI_DSS_V4_REQUIREMENTS } from './pci-requirements';

const repoRoot = path.join(__dirname, '..', '..', '..', '..');

function detailOf(kind: 'ephemeral' | 'staging' | 'prod', features: Record<string, unknown> = {}) {
  const parsed = parseEnvironmentSpec({
    environmentSuffix: kind === 'ephemeral' ? 'pr-7' : kind,
    kind,
    owner: 'alice',
    project: 'payments',
    costCenter: 'CC-1',
    alertEmails: ['alerts@example.com'],
    features,
  });
  if (!parsed.success) throw new Error(JSON.stringify(parsed.errors));
  const { spec } = parsed;
  return {
    environmentSuffix: spec.environmentSuffix,
    kind: spec.kind,
    status: 'ready' as const,
    region: spec.region,
    stackName: `sep-${spec.environmentSuffix}`,
    spec,
  };
}

/** A published report in the shape infra's collector writes (trimmed from a real prod synth). */
function compliance(
  overrides: Partial<ComplianceReport['static']> = {},
  rules: ComplianceReport['runtime']['rules'] = [],
): ComplianceReport {
  return {
    environmentSuffix: 'prod',
    static: {
      available: true,
      generatedAt: '2026-12-05T07:21:38.341Z',
      packs: [
        { pack: 'AwsSolutions', rulesChecked: 32, passed: 26, suppressed: [], errors: [], warnings: [] },
        {
          pack: 'PCI.DSS.321',
          rulesChecked: 34,
          passed: 29,
          suppressed: [
            {
              ruleId: 'PCI.DSS.321-S3DefaultEncryptionKMS',
              resource: 'prod/Stack/AccessLogs/Resource',
              reason: 'Server access log delivery supports SSE-S3 only',
            },
          ],
          errors: [],
          warnings: [],
        },
        { pack: 'NIST.800.53.R5', rulesChecked: 45, passed: 37, suppressed: [], errors: [], warnings: [] },
        { pack: 'Sep', rulesChecked: 2, passed: 2, suppressed: [], errors: [], warnings: [] },
      ],
      totals: { rulesChecked: 111, passed: 92, suppressed: 1, errors: 0 },
      ...overrides,
    },
    runtime: { available: rules.length > 0, rules },
  };
}

const input = (overrides: Partial<EvidenceInput> = {}): EvidenceInput => ({
  detail: detailOf('prod'),
  compliance: compliance(),
  mode: 'local',
  generatedAt: new Date('2026-12-05T08:00:00Z'),
  provenance: { stacks: [], gaps: [] },
  ...overrides,
});

const requirement = (bundle: ReturnType<typeof buildEvidenceBundle>, id: string) => {
  const found = bundle.requirements.find((candidate) => candidate.id === id);
  if (found === undefined) throw new Error(`no requirement ${id}`);
  return found;
};

describe('the PCI DSS v4.0 mapping', () => {
  it('gives every requirement either checks or the out-of-scope label, never both', () => {
    for (const {
      id,
      nagRules = [],
      configRules = [],
      controls = [],
      outOfScope,
    } of PCI_DSS_V4_REQUIREMENTS) {
      const checks = nagRules.length + configRules.length + controls.length;
      expect({ id, evidenced: checks > 0 }).toEqual({ id, evidenced: outOfScope === undefined });
    }
  });

  it('lists people, process and physical requirements as out of scope of the platform', () => {
    const outOfScope = PCI_DSS_V4_REQUIREMENTS.filter((item) => item.outOfScope !== undefined).map(
      (item) => item.id,
    );
    expect(outOfScope).toEqual(expect.arrayContaining(['12.1.1', '6.2.2', '9.2.1']));
    for (const item of PCI_DSS_V4_REQUIREMENTS.filter((candidate) => candidate.outOfScope !== undefined)) {
      expect(item.outOfScope).toMatch(/^Out of scope of the platform/);
    }
  });

  it('names only rules the installed cdk-nag packs have', () => {
    const packs = path.dirname(require.resolve('cdk-nag/lib/packs/pci-dss-321.js'));
    const rulesOf = (file: string, pattern: RegExp) =>
      new Set([...readFileSync(path.join(packs, file), 'utf8').matchAll(pattern)].map((match) => match[1]));
    const known: Record<string, Set<string | undefined>> = {
      'PCI.DSS.321': rulesOf('pci-dss-321.js', /rule: [a-z0-9_]+\.([A-Za-z0-9]+)/g),
      'NIST.800.53.R5': rulesOf('nist-800-53-r5.js', /rule: [a-z0-9_]+\.([A-Za-z0-9]+)/g),
      AwsSolutions: rulesOf('aws-solutions.js', /ruleSuffixOverride: '([A-Za-z0-9]+)'/g),
      // The project's own pack, read from its source as the Config rules are below.
      Sep: new Set(
        [
          ...readFileSync(path.join(repoRoot, 'infra', 'src', 'nag', 'sep-pack.ts'), 'utf8').matchAll(
            /ruleSuffixOverride: '([A-Za-z0-9]+)'/g,
          ),
        ].map((match) => match[1]),
      ),
    };
    const unknown = PCI_DSS_V4_REQUIREMENTS.flatMap((item) => item.nagRules ?? []).filter((ruleId) => {
      const [pack, rule] = [ruleId.slice(0, ruleId.indexOf('-')), ruleId.slice(ruleId.indexOf('-') + 1)];
      return !known[pack]?.has(rule);
    });
    expect(unknown).toEqual([]);
  });

  it("knows exactly the Config rules the stage's compliance construct deploys", () => {
    const source = readFileSync(path.join(repoRoot, 'infra', 'src', 'constructs', 'compliance.ts'), 'utf8');
    const deployed = [...source.matchAll(/^\s+name: '([a-z0-9-]+)',$/gm)].map((match) => match[1]);
    const custom = /const CUSTOM_RULE_NAME = '([a-z0-9-]+)'/.exec(source)?.[1];
    expect([...deployed, custom].sort()).toEqual(Object.keys(CONFIG_RULE_PARTS).sort());
  });
});

describe('buildEvidenceBundle', () => {
  it('produces a bundle that validates against the published schema', () => {
    expect(evidenceBundleSchema.safeParse(buildEvidenceBundle(input())).success).toBe(true);
  });

  it('shows a suppressed nag rule with its reason', () => {
    const check = requirement(buildEvidenceBundle(input()), '3.5.1').nagRules.find(
      (item) => item.ruleId === 'PCI.DSS.321-S3DefaultEncryptionKMS',
    );
    expect(check).toMatchObject({
      result: 'suppressed',
      suppressions: [
        {
          resource: 'prod/Stack/AccessLogs/Resource',
          reason: 'Server access log delivery supports SSE-S3 only',
        },
      ],
    });
  });

  it('shows a failing nag rule as failing evidence of every requirement it supports', () => {
    const report = compliance();
    const pci = report.static.packs[1];
    if (pci === undefined) throw new Error('fixture');
    const failing = compliance({
      packs: [
        ...report.static.packs.filter((pack) => pack !== pci),
        {
          ...pci,
          errors: [
            {
              ruleId: 'PCI.DSS.321-S3BucketSSLRequestsOnly',
              resource: 'prod/Stack/Data/Policy',
              message: 'no aws:SecureTransport deny',
            },
          ],
        },
      ],
    });
    const bundle = buildEvidenceBundle(input({ compliance: failing }));
    const tls = requirement(bundle, '4.2.1');
    expect(tls.status).toBe('failing');
    expect(tls.nagRules.find((item) => item.ruleId === 'PCI.DSS.321-S3BucketSSLRequestsOnly')).toMatchObject({
      result: 'error',
      findings: [{ resource: 'prod/Stack/Data/Policy', message: 'no aws:SecureTransport deny' }],
    });
    expect(requirement(buildEvidenceBundle(input()), '4.2.1').status).toBe('supported');
    expect(bundle.summary.failing).toBe(1);
  });

  it('marks evidence partial while no nag report is published', () => {
    const bundle = buildEvidenceBundle(
      input({
        compliance: compliance({ available: false, packs: [], unavailableReason: 'not synthesized yet' }),
      }),
    );
    expect(requirement(bundle, '3.5.1').status).toBe('partial');
    expect(requirement(bundle, '3.5.1').nagRules.every((item) => item.result === 'not-available')).toBe(true);
    expect(bundle.sources.nagReport).toMatchObject({
      available: false,
      unavailableReason: 'not synthesized yet',
    });
  });

  it('carries live Config results by the physical rule name and fails on NON_COMPLIANT', () => {
    const bundle = buildEvidenceBundle(
      input({
        mode: 'aws',
        compliance: compliance({}, [
          {
            ruleName: 'sep-prod-s3-bucket-ssl-requests-only',
            compliance: 'NON_COMPLIANT',
            nonCompliantResources: 2,
          },
          { ruleName: 'sep-prod-s3-default-encryption-kms', compliance: 'COMPLIANT' },
        ]),
      }),
    );
    expect(requirement(bundle, '4.2.1')).toMatchObject({
      status: 'failing',
      configRules: [
        {
          ruleName: 'sep-prod-s3-bucket-ssl-requests-only',
          deployed: true,
          result: 'NON_COMPLIANT',
          nonCompliantResources: 2,
        },
      ],
    });
    expect(requirement(bundle, '3.5.1').configRules[0]).toMatchObject({ result: 'COMPLIANT' });
  });

  it('evidences architectural controls from the kind and features, not blindly', () => {
    const prod = buildEvidenceBundle(input());
    const ephemeral = buildEvidenceBundle(input({ detail: detailOf('ephemeral', { waf: false }) }));
    expect(requirement(prod, '10.5.1').controls[0]).toMatchObject({
      id: 'log-retention-12-months',
      status: 'in-place',
    });
    expect(requirement(ephemeral, '10.5.1')).toMatchObject({
      status: 'failing',
      controls: [{ id: 'log-retention-12-months', status: 'not-in-place' }],
    });
    expect(requirement(prod, '10.3.2').controls).toContainEqual(
      expect.objectContaining({ id: 'audit-object-lock', status: 'in-place' }),
    );
    expect(requirement(ephemeral, '10.3.2').controls).toContainEqual(
      expect.objectContaining({ id: 'audit-object-lock', status: 'not-applicable' }),
    );
    expect(requirement(ephemeral, '6.4.1').configRules[0]).toMatchObject({
      ruleName: 'sep-pr-7-api-gw-associated-with-waf',
      deployed: false,
    });
  });

  it('identifies the environment from the platform provenance', () => {
    const bundle = buildEvidenceBundle(
      input({
        provenance: {
          stacks: [
            {
              stackName: 'sep-prod',
              stackId: 'arn:aws:cloudformation:us-east-1:1:stack/sep-prod/x',
              templateSha256: '00ff',
              lastDeployedAt: '2026-12-05T07:00:00.000Z',
              resourceTypes: { 'AWS::S3::Bucket': 1 },
            },
          ],
          pipelineName: 'sep-delivery-release',
          pipelineExecutionId: 'exec-1',
          sourceRevision: 'abc123',
          cloudTrailTrailArn: 'arn:aws:cloudtrail:us-east-1:1:trail/t',
          gaps: [],
        },
      }),
    );
    expect(bundle.environment).toMatchObject({
      suffix: 'prod',
      kind: 'prod',
      region: 'us-east-1',
      stackName: 'sep-prod',
      mode: 'local',
      sourceRevision: 'abc123',
      pipelineName: 'sep-delivery-release',
      pipelineExecutionId: 'exec-1',
      templateHashes: { 'sep-prod': '00ff' },
      stacks: [
        {
          stackName: 'sep-prod',
          stackId: 'arn:aws:cloudformation:us-east-1:1:stack/sep-prod/x',
          templateSha256: '00ff',
          lastDeployedAt: '2026-12-05T07:00:00.000Z',
        },
      ],
      cloudTrailTrailArn: 'arn:aws:cloudtrail:us-east-1:1:trail/t',
      identityGaps: [],
    });
    expect(bundle.generatedAt).toBe('2026-12-05T08:00:00.000Z');
    expect(evidenceBundleSchema.safeParse(bundle).success).toBe(true);
  });

  it('lists what the platform could not know instead of a value', () => {
    const gaps = [
      { field: 'sourceRevision', reason: 'execution exec-1 names no source revision' },
      { field: 'cloudTrailTrailArn', reason: 'local mode: no CloudTrail' },
    ];
    const bundle = buildEvidenceBundle(
      input({
        provenance: {
          stacks: [{ stackName: 'sep-prod', resourceTypes: {} }],
          pipelineExecutionId: 'exec-1',
          gaps,
        },
      }),
    );
    expect(bundle.environment.identityGaps).toEqual(gaps);
    expect(bundle.environment.templateHashes).toEqual({});
    expect(bundle.environment).not.toHaveProperty('sourceRevision');
    expect(bundle.environment).not.toHaveProperty('cloudTrailTrailArn');
    expect(bundle.environment.stacks).toEqual([{ stackName: 'sep-prod' }]);
  });
});
