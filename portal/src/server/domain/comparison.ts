import { environmentSuffixSchema } from '@sep/spec';
import { z } from 'zod';
import type { EnvironmentProvenance } from '../platform/port';
import type { EnvironmentService } from './environment-service';
import type { ComplianceReport, EnvironmentDetail, User } from './types';
import { costEstimateSchema } from './view-schemas';

/** `GET /api/environments/compare?left=&right=`: two different existing-looking suffixes. */
export const compareQuerySchema = z
  .strictObject({ left: environmentSuffixSchema, right: environmentSuffixSchema })
  .refine((query) => query.left !== query.right, {
    path: ['right'],
    error: 'right must name another environment than left',
  });

const comparedSideSchema = z.object({
  environmentSuffix: z.string(),
  kind: z.string(),
  status: z.string(),
  region: z.string(),
  account: z.string().optional().meta({ description: 'Absent when the spec names none (default account)' }),
  spec: z.record(z.string(), z.unknown()),
  resources: z.object({
    available: z.boolean().meta({ description: 'False until a template is deployed (the reason says why)' }),
    unavailableReason: z.string().optional(),
    total: z.number().int(),
    byType: z
      .record(z.string(), z.number().int())
      .meta({ description: 'Resources of the deployed template per CloudFormation type' }),
    templateSha256: z.string().optional(),
    lastDeployedAt: z.string().optional(),
  }),
  compliance: z.object({
    nagAvailable: z.boolean(),
    nag: z.object({
      rulesChecked: z.number().int(),
      passed: z.number().int(),
      suppressed: z.number().int(),
      errors: z.number().int(),
    }),
    configAvailable: z.boolean().meta({ description: 'AWS Config results exist only in aws mode' }),
    config: z.object({
      compliant: z.number().int(),
      nonCompliant: z.number().int(),
      other: z.number().int().meta({ description: 'NOT_APPLICABLE or INSUFFICIENT_DATA' }),
    }),
    unavailableReason: z.string().optional(),
  }),
  cost: costEstimateSchema,
});

export const environmentComparisonSchema = z
  .object({
    left: comparedSideSchema,
    right: comparedSideSchema,
    differences: z.object({
      spec: z
        .array(z.object({ path: z.string(), left: z.string().optional(), right: z.string().optional() }))
        .meta({ description: 'Spec fields (dotted paths, JSON values) that differ; the suffix is left out' }),
      resources: z
        .array(z.object({ type: z.string(), left: z.number().int(), right: z.number().int() }))
        .meta({
          description:
            'Resource types whose counts differ, by type; empty when a side has no deployed template (its counts are unknown)',
        }),
      monthlyCostUsd: z.number().meta({ description: 'right minus left (USD per month)' }),
    }),
  })
  .meta({
    id: 'EnvironmentComparison',
    description:
      'Two environments side by side: spec, deployed template resources, compliance results, cost, and what differs.',
  });

export type EnvironmentComparison = z.infer<typeof environmentComparisonSchema>;
type ComparedSide = z.infer<typeof comparedSideSchema>;

/** What one side is built from: the environment's detail, its compliance report, its provenance. */
export interface ComparisonInput {
  readonly detail: Pick<
    EnvironmentDetail,
    'environmentSuffix' | 'kind' | 'status' | 'region' | 'spec' | 'cost'
  >;
  readonly compliance: ComplianceReport;
  readonly provenance: EnvironmentProvenance;
}

function side({ detail, compliance, provenance }: ComparisonInput): ComparedSide {
  const stack = provenance.stacks[0];
  const byType = Object.fromEntries(
    Object.entries(stack?.resourceTypes ?? {}).sort(([a], [b]) => a.localeCompare(b)),
  );
  const total = Object.values(byType).reduce((sum, count) => sum + count, 0);
  const templateGap = provenance.gaps.find((gap) => gap.field === 'templateHashes');
  const rules = compliance.runtime.rules;
  const count = (wanted: (compliance: string) => boolean) =>
    rules.filter((rule) => wanted(rule.compliance)).length;
  const unavailable = [
    compliance.static.available
      ? undefined
      : `cdk-nag: ${compliance.static.unavailableReason ?? 'not available'}`,
    compliance.runtime.available
      ? undefined
      : `AWS Config: ${compliance.runtime.unavailableReason ?? 'not available'}`,
  ].filter((reason) => reason !== undefined);
  return {
    environmentSuffix: detail.environmentSuffix,
    kind: detail.kind,
    status: detail.status,
    region: detail.region,
    ...(detail.spec.account === undefined ? {} : { account: detail.spec.account }),
    spec: { ...detail.spec },
    resources: {
      available: stack?.templateSha256 !== undefined,
      ...(stack?.templateSha256 === undefined
        ? { unavailableReason: templateGap?.reason ?? 'no deployed template was read' }
        : {}),
      total,
      byType,
      ...(stack?.templateSha256 === undefined ? {} : { templateSha256: stack.templateSha256 }),
      ...(stack?.lastDeployedAt === undefined ? {} : { lastDeployedAt: stack.lastDeployedAt }),
    },
    compliance: {
      nagAvailable: compliance.static.available,
      nag: { ...compliance.static.totals },
      configAvailable: compliance.runtime.available,
      config: {
        compliant: count((result) => result === 'COMPLIANT'),
        nonCompliant: count((result) => result === 'NON_COMPLIANT'),
        other: count((result) => result !== 'COMPLIANT' && result !== 'NON_COMPLIANT'),
      },
      ...(unavailable.length === 0 ? {} : { unavailableReason: unavailable.join('; ') }),
    },
    cost: detail.cost,
  };
}

/** Leaves of a spec as dotted paths and JSON values (arrays are one value: their order is the value). */
function leaves(value: unknown, prefix = ''): Map<string, string> {
  const found = new Map<string, string>();
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    for (const [key, child] of Object.entries(value)) {
      for (const [path, leaf] of leaves(child, prefix === '' ? key : `${prefix}.${key}`))
        found.set(path, leaf);
    }
  } else if (prefix !== '' && value !== undefined) {
    found.set(prefix, JSON.stringify(value));
  }
  return found;
}

/** Pure: two sides and what differs between them. */
export function compareEnvironments(left: ComparisonInput, right: ComparisonInput): EnvironmentComparison {
  const a = side(left);
  const b = side(right);
  const { environmentSuffix: _l, ...leftSpec } = a.spec;
  const { environmentSuffix: _r, ...rightSpec } = b.spec;
  const leftLeaves = leaves(leftSpec);
  const rightLeaves = leaves(rightSpec);
  const specPaths = [...new Set([...leftLeaves.keys(), ...rightLeaves.keys()])].sort();
  const spec = specPaths.flatMap((path) => {
    const l = leftLeaves.get(path);
    const r = rightLeaves.get(path);
    return l === r
      ? []
      : [{ path, ...(l === undefined ? {} : { left: l }), ...(r === undefined ? {} : { right: r }) }];
  });
  // A side without a deployed template has unknown counts, not zero: nothing to compare then.
  const bothDeployed = a.resources.available && b.resources.available;
  const types = bothDeployed
    ? [...new Set([...Object.keys(a.resources.byType), ...Object.keys(b.resources.byType)])].sort()
    : [];
  const resources = types.flatMap((type) => {
    const l = a.resources.byType[type] ?? 0;
    const r = b.resources.byType[type] ?? 0;
    return l === r ? [] : [{ type, left: l, right: r }];
  });
  return {
    left: a,
    right: b,
    differences: {
      spec,
      resources,
      monthlyCostUsd: Math.round((b.cost.monthlyUsd - a.cost.monthlyUsd) * 100) / 100,
    },
  };
}

/** Reads both environments (as the user may read them) and compares them. */
export class ComparisonService {
  constructor(private readonly environments: Pick<EnvironmentService, 'get' | 'compliance' | 'provenance'>) {}

  async compare(user: User, leftSuffix: string, rightSuffix: string): Promise<EnvironmentComparison> {
    const [left, right] = await Promise.all([this.input(user, leftSuffix), this.input(user, rightSuffix)]);
    return compareEnvironments(left, right);
  }

  private async input(user: User, environmentSuffix: string): Promise<ComparisonInput> {
    // `get` first: a missing environment is a 404 before any platform read.
    const detail = await this.environments.get(user, environmentSuffix);
    const [compliance, provenance] = await Promise.all([
      this.environments.compliance(environmentSuffix),
      this.environments.provenance(environmentSuffix),
    ]);
    return { detail, compliance, provenance };
  }
}
