import { physicalName } from '@sep/spec';
import { z } from 'zod';
import { configComplianceSchema } from '../domain/operations-view-schemas';
import type { ComplianceReport, EnvironmentDetail, PortalMode } from '../domain/types';
import type { EnvironmentProvenance } from '../platform/port';
import { evaluateControl } from './architectural-controls';
import { CONFIG_RULE_PARTS, type ConfigRulePart, PCI_DSS_V4_REQUIREMENTS } from './pci-requirements';

export const CONFIG_MAPPING_SOURCE =
  'AWS Config conformance pack "Operational Best Practices for PCI DSS 4.0" (https://docs.aws.amazon.com/config/latest/developerguide/operational-best-practices-for-pci-dss-v4-including-global-resource-types.html)';

const nagCheckSchema = z.object({
  ruleId: z.string(),
  pack: z.string(),
  result: z.enum(['passed', 'suppressed', 'error', 'not-available']).meta({
    description:
      'passed: no finding in the published report (compliant or no resource of that type); suppressed: every finding carries a reviewed reason; error: at least one unsuppressed finding',
  }),
  findings: z
    .array(z.object({ resource: z.string(), message: z.string().optional() }))
    .meta({ description: 'Unsuppressed findings (result error)' }),
  suppressions: z.array(z.object({ resource: z.string(), reason: z.string() })),
});

const configCheckSchema = z.object({
  ruleName: z.string(),
  deployed: z.boolean().meta({ description: "Whether the environment's spec deploys this rule" }),
  result: z.union([configComplianceSchema, z.literal('not-evaluated')]).meta({
    description: 'Live AWS Config result (aws mode); not-evaluated without one',
  }),
  nonCompliantResources: z.number().int().optional(),
});

const controlCheckSchema = z.object({
  id: z.string(),
  title: z.string(),
  status: z.enum(['in-place', 'not-in-place', 'not-applicable']),
  evidence: z.string(),
});

const requirementSchema = z.object({
  id: z.string().meta({ description: 'PCI DSS v4.0 requirement ID' }),
  title: z.string(),
  status: z.enum(['supported', 'failing', 'partial', 'out-of-scope']).meta({
    description:
      'failing: a check of this environment fails (nag error, NON_COMPLIANT Config rule, control not in place); partial: no failure but a check has no result; out-of-scope: not evidenced by the platform',
  }),
  outOfScope: z.string().optional(),
  nagRules: z.array(nagCheckSchema),
  configRules: z.array(configCheckSchema),
  controls: z.array(controlCheckSchema),
});

const deployedStackSchema = z.object({
  stackName: z.string(),
  stackId: z.string().optional(),
  templateSha256: z.string().optional(),
  lastDeployedAt: z.string().optional().meta({ description: 'When the stack was last created or updated' }),
});

const identityGapSchema = z.object({
  field: z
    .string()
    .meta({ description: 'e.g. sourceRevision, pipelineExecutionId, templateHashes, cloudTrailTrailArn' }),
  reason: z.string(),
});

export const evidenceBundleSchema = z
  .object({
    format: z.literal('sep-pci-dss-v4-evidence/1'),
    standard: z.literal('PCI DSS v4.0'),
    generatedAt: z.string(),
    environment: z.object({
      suffix: z.string(),
      kind: z.string(),
      status: z.string(),
      account: z
        .string()
        .optional()
        .meta({ description: 'Absent when the spec names none (default account)' }),
      region: z.string(),
      stackName: z.string(),
      mode: z.enum(['local', 'aws']),
      spec: z.record(z.string(), z.unknown()),
      sourceRevision: z
        .string()
        .optional()
        .meta({ description: 'Source revision (commit) of the pipeline execution that deployed the stack' }),
      pipelineName: z.string().optional(),
      pipelineExecutionId: z
        .string()
        .optional()
        .meta({ description: "The execution whose deploy action last deployed this environment's stack" }),
      templateHashes: z
        .record(z.string(), z.string())
        .meta({ description: 'SHA-256 (hex) of each deployed stack template body, by stack name' }),
      stacks: z.array(deployedStackSchema),
      cloudTrailTrailArn: z.string().optional().meta({
        description: "The account's CloudTrail trail (aws mode: account-security stack output AuditTrailArn)",
      }),
      identityGaps: z.array(identityGapSchema).meta({
        description:
          'Identity fields that could not be known, each with why: an absent field is never a guessed value',
      }),
    }),
    sources: z.object({
      nagReport: z.object({
        available: z.boolean(),
        generatedAt: z.string().optional(),
        unavailableReason: z.string().optional(),
        packs: z.array(
          z.object({ pack: z.string(), rulesChecked: z.number().int(), passed: z.number().int() }),
        ),
      }),
      configRules: z.object({
        mappingSource: z.string(),
        live: z.boolean(),
        unavailableReason: z.string().optional(),
      }),
    }),
    requirements: z.array(requirementSchema),
    summary: z.object({
      supported: z.number().int(),
      failing: z.number().int(),
      partial: z.number().int(),
      outOfScope: z.number().int(),
    }),
  })
  .meta({
    id: 'EvidenceBundle',
    description:
      'PCI DSS v4.0 requirement-by-requirement evidence for one environment (what the signature covers).',
  });

export type EvidenceBundle = z.infer<typeof evidenceBundleSchema>;
type NagCheck = z.infer<typeof nagCheckSchema>;
type ConfigCheck = z.infer<typeof configCheckSchema>;

export interface EvidenceInput {
  readonly detail: Pick<
    EnvironmentDetail,
    'environmentSuffix' | 'kind' | 'status' | 'region' | 'stackName' | 'spec'
  >;
  readonly compliance: ComplianceReport;
  readonly mode: PortalMode;
  readonly generatedAt: Date;
  /** Where the deployed state comes from (the platform's `provenance`). */
  readonly provenance: EnvironmentProvenance;
}

/** The pack a rule ID belongs to: the report names rules `<pack>-<rule>`. */
function packOf(ruleId: string): string {
  return ruleId.slice(0, ruleId.indexOf('-'));
}

function nagCheck(ruleId: string, report: ComplianceReport['static']): NagCheck {
  const pack = packOf(ruleId);
  const summary = report.packs.find((candidate) => candidate.pack === pack);
  const none = { ruleId, pack, findings: [], suppressions: [] };
  if (!report.available || summary === undefined) return { ...none, result: 'not-available' };
  const findings = summary.errors
    .filter((finding) => finding.ruleId === ruleId)
    .map(({ resource, message }) => ({ resource, ...(message === undefined ? {} : { message }) }));
  const suppressions = summary.suppressed
    .filter((suppression) => suppression.ruleId === ruleId)
    .map(({ resource, reason }) => ({ resource, reason }));
  const result = findings.length > 0 ? 'error' : suppressions.length > 0 ? 'suppressed' : 'passed';
  return { ...none, result, findings, suppressions };
}

function configCheck(part: ConfigRulePart, input: EvidenceInput): ConfigCheck {
  const ruleName = physicalName('configRule', { suffix: input.detail.environmentSuffix, part });
  const needs = CONFIG_RULE_PARTS[part];
  const features = input.detail.spec.features;
  const deployed =
    needs === 'always' || (needs === 'waf' ? (features?.waf ?? true) : (features?.database ?? false));
  const live = input.compliance.runtime.rules.find((rule) => rule.ruleName === ruleName);
  return {
    ruleName,
    deployed,
    result: live?.compliance ?? 'not-evaluated',
    ...(live?.nonCompliantResources === undefined
      ? {}
      : { nonCompliantResources: live.nonCompliantResources }),
  };
}

/** The bundle's identity fields from the platform's provenance: only what was read, and the gaps. */
function identityOf(provenance: EnvironmentProvenance) {
  const templateHashes: Record<string, string> = {};
  for (const stack of provenance.stacks) {
    if (stack.templateSha256 !== undefined) templateHashes[stack.stackName] = stack.templateSha256;
  }
  return {
    ...(provenance.sourceRevision === undefined ? {} : { sourceRevision: provenance.sourceRevision }),
    ...(provenance.pipelineName === undefined ? {} : { pipelineName: provenance.pipelineName }),
    ...(provenance.pipelineExecutionId === undefined
      ? {}
      : { pipelineExecutionId: provenance.pipelineExecutionId }),
    templateHashes,
    stacks: provenance.stacks.map(({ stackName, stackId, templateSha256, lastDeployedAt }) => ({
      stackName,
      ...(stackId === undefined ? {} : { stackId }),
      ...(templateSha256 === undefined ? {} : { templateSha256 }),
      ...(lastDeployedAt === undefined ? {} : { lastDeployedAt }),
    })),
    ...(provenance.cloudTrailTrailArn === undefined
      ? {}
      : { cloudTrailTrailArn: provenance.cloudTrailTrailArn }),
    identityGaps: provenance.gaps.map(({ field, reason }) => ({ field, reason })),
  };
}

/** Builds the bundle: pure, so the same inputs give the same bytes to sign. */
export function buildEvidenceBundle(input: EvidenceInput): EvidenceBundle {
  const { detail, compliance } = input;
  const requirements = PCI_DSS_V4_REQUIREMENTS.map((requirement) => {
    const nagRules = (requirement.nagRules ?? []).map((ruleId) => nagCheck(ruleId, compliance.static));
    const configRules = (requirement.configRules ?? []).map((part) => configCheck(part, input));
    const controls = (requirement.controls ?? []).map((id) => evaluateControl(id, detail.spec));
    const failing =
      nagRules.some((check) => check.result === 'error') ||
      configRules.some((check) => check.deployed && check.result === 'NON_COMPLIANT') ||
      controls.some((check) => check.status === 'not-in-place');
    const partial =
      nagRules.some((check) => check.result === 'not-available') ||
      (configRules.length > 0 &&
        nagRules.length === 0 &&
        controls.length === 0 &&
        !compliance.runtime.available);
    const status =
      requirement.outOfScope !== undefined
        ? 'out-of-scope'
        : failing
          ? 'failing'
          : partial
            ? 'partial'
            : 'supported';
    return {
      id: requirement.id,
      title: requirement.title,
      status,
      ...(requirement.outOfScope === undefined ? {} : { outOfScope: requirement.outOfScope }),
      nagRules,
      configRules,
      controls,
    } satisfies EvidenceBundle['requirements'][number];
  });
  const count = (status: string) =>
    requirements.filter((requirement) => requirement.status === status).length;
  return {
    format: 'sep-pci-dss-v4-evidence/1',
    standard: 'PCI DSS v4.0',
    generatedAt: input.generatedAt.toISOString(),
    environment: {
      suffix: detail.environmentSuffix,
      kind: detail.kind,
      status: detail.status,
      ...(detail.spec.account === undefined ? {} : { account: detail.spec.account }),
      region: detail.region,
      stackName: detail.stackName,
      mode: input.mode,
      spec: { ...detail.spec },
      ...identityOf(input.provenance),
    },
    sources: {
      nagReport: {
        available: compliance.static.available,
        ...(compliance.static.generatedAt === undefined
          ? {}
          : { generatedAt: compliance.static.generatedAt }),
        ...(compliance.static.unavailableReason === undefined
          ? {}
          : { unavailableReason: compliance.static.unavailableReason }),
        packs: compliance.static.packs.map(({ pack, rulesChecked, passed }) => ({
          pack,
          rulesChecked,
          passed,
        })),
      },
      configRules: {
        mappingSource: CONFIG_MAPPING_SOURCE,
        live: compliance.runtime.available,
        ...(compliance.runtime.unavailableReason === undefined
          ? {}
          : { unavailableReason: compliance.runtime.unavailableReason }),
      },
    },
    requirements,
    summary: {
      supported: count('supported'),
      failing: count('failing'),
      partial: count('partial'),
      outOfScope: count('out-of-scope'),
    },
  };
}
