import {
  fullDiff,
  type ResourceDifference,
  ResourceImpact,
  type TemplateDiff,
} from '@aws-cdk/cloudformation-diff';
import type { EnvironmentSpec } from '@sep/spec';
import { costEstimate } from './environment-views';
import { staticCompliance } from './nag-report';
import type {
  NagDeltaEntry,
  PreviewResourceChange,
  PromotionPreview,
  StackPreview,
} from './promotion-preview-schemas';

/** One side of a prod stack's comparison: a CloudFormation template with what was known beside it. */
export interface PreviewSide {
  /** The template as CloudFormation holds it (JSON object). */
  readonly template: Record<string, unknown>;
  /** The cdk-nag report of the synth that produced it (`nag-report.json` format), if it could be read. */
  readonly nagReport?: unknown;
  /** The environment spec it was synthesized from, if known (prices the cost delta). */
  readonly spec?: EnvironmentSpec;
}

/** A prod stack: what is deployed and what the waiting execution will deploy. */
export interface PromotionStackSource {
  readonly stackName: string;
  readonly environmentSuffix: string;
  /** Nothing to compare with (first deploy, template unreadable): why, in `unavailableReason`. */
  readonly deployed?: PreviewSide;
  readonly unavailableReason?: string;
  /** Why the compliance delta cannot be computed although both templates are known (a report missing). */
  readonly complianceUnavailableReason?: string;
  /**
   * What the waiting execution deploys. Absent when its template cannot be read: why, in
   * `unavailableReason`; the preview is then flagged, since the approver would approve unseen changes.
   */
  readonly next?: PreviewSide;
}

/**
 * Resource types whose replacement or removal loses data or makes data unreadable (a KMS key scheduled
 * for deletion takes what it encrypted with it).
 */
export const STATEFUL_RESOURCE_TYPES: ReadonlySet<string> = new Set([
  'AWS::DynamoDB::Table',
  'AWS::DynamoDB::GlobalTable',
  'AWS::S3::Bucket',
  'AWS::KMS::Key',
  'AWS::RDS::DBCluster',
  'AWS::RDS::DBInstance',
]);

/** Policies that keep the physical resource when CloudFormation lets go of it (Snapshot still deletes the live one). */
const RETAINING_POLICIES = new Set(['Retain', 'RetainExceptOnCreate']);

/** Property values longer than this are cut in the response (a bucket policy can run to kilobytes). */
const MAX_VALUE_CHARS = 600;

/** What the approver types to approve a flagged promotion: ties the confirmation to the execution they saw. */
export function confirmationPhrase(executionId: string): string {
  return `promote ${executionId.slice(0, 8)}`;
}

/** The preview of the execution waiting at PromoteToProd, from each prod stack's two templates. */
export function computePromotionPreview(input: {
  readonly executionId: string;
  readonly stacks: readonly PromotionStackSource[];
  readonly now?: Date;
}): PromotionPreview {
  const stacks = input.stacks.map(previewStack);
  const flags = stacks.flatMap((stack) => stack.flags.map((flag) => `${stack.stackName}: ${flag}`));
  return {
    executionId: input.executionId,
    computedAt: (input.now ?? new Date()).toISOString(),
    stacks,
    flagged: flags.length > 0,
    flags,
    confirmationPhrase: confirmationPhrase(input.executionId),
  };
}

export function previewStack(source: PromotionStackSource): StackPreview {
  const cost = costDelta(source.deployed?.spec, source.next?.spec);
  const base = { stackName: source.stackName, environmentSuffix: source.environmentSuffix };
  if (source.deployed === undefined || source.next === undefined) {
    const unseen = source.next === undefined;
    return {
      ...base,
      available: false,
      unavailableReason:
        source.unavailableReason ??
        (unseen ? 'the template the execution deploys cannot be read' : 'nothing deployed to compare with'),
      counts: { added: 0, modified: 0, replaced: 0, removed: 0 },
      resources: [],
      security: {
        permissionsBroadened: false,
        iamStatements: [],
        managedPolicies: [],
        securityGroupRules: [],
      },
      compliance: { available: false, entries: [] },
      ...(cost === undefined ? {} : { cost }),
      flags: unseen ? ['what it deploys cannot be shown (its template could not be read)'] : [],
    };
  }
  const diff = fullDiff(source.deployed.template, source.next.template);
  const resources = resourceChanges(diff);
  const security = securityChanges(diff);
  const delta = complianceDelta(source.deployed.nagReport, source.next.nagReport);
  const compliance = delta.available
    ? delta
    : {
        ...delta,
        reason:
          source.complianceUnavailableReason ??
          `a cdk-nag report is not available for the ${source.deployed.nagReport === undefined ? 'deployed' : 'new'} template`,
      };
  const flags = [
    ...resources
      .filter((resource) => resource.stateful && !resource.retained && resource.change === 'replaced')
      .map((r) => `${r.resourceType} ${r.logicalId} ${r.conditional ? 'may be' : 'will be'} replaced`),
    ...resources
      .filter((resource) => resource.stateful && !resource.retained && resource.change === 'removed')
      .map((r) => `${r.resourceType} ${r.logicalId} will be removed`),
    ...(security.permissionsBroadened ? ['security widened (IAM statements or security-group rules)'] : []),
  ];
  const count = (kind: PreviewResourceChange['change']) => resources.filter((r) => r.change === kind).length;
  return {
    ...base,
    available: true,
    counts: {
      added: count('added'),
      modified: count('modified'),
      replaced: count('replaced'),
      removed: count('removed'),
    },
    resources,
    security,
    compliance,
    ...(cost === undefined ? {} : { cost }),
    flags,
  };
}

function resourceChanges(diff: TemplateDiff): PreviewResourceChange[] {
  const changes: PreviewResourceChange[] = [];
  diff.resources.forEachDifference((logicalId, resource) => {
    if (!resource.isDifferent) return;
    const resourceType = resource.newResourceType ?? resource.oldResourceType ?? 'unknown';
    const change = changeKind(resource);
    const policyResource =
      change === 'removed' ? resource.oldValue : (resource.oldValue ?? resource.newValue);
    const policy =
      change === 'removed' ? policyResource?.DeletionPolicy : policyResource?.UpdateReplacePolicy;
    const properties = Object.entries(resource.propertyUpdates).map(([property, update]) => ({
      property,
      ...(update.changeImpact === undefined ? {} : { impact: update.changeImpact }),
      ...(update.oldValue === undefined ? {} : { oldValue: shortJson(update.oldValue) }),
      ...(update.newValue === undefined ? {} : { newValue: shortJson(update.newValue) }),
    }));
    changes.push({
      logicalId,
      resourceType,
      change,
      ...(change === 'replaced' ? { conditional: resource.changeImpact === ResourceImpact.MAY_REPLACE } : {}),
      stateful: STATEFUL_RESOURCE_TYPES.has(resourceType),
      retained: typeof policy === 'string' && RETAINING_POLICIES.has(policy),
      properties,
    });
  });
  return changes;
}

function changeKind(resource: ResourceDifference): PreviewResourceChange['change'] {
  if (resource.isAddition) return 'added';
  if (resource.isRemoval) return 'removed';
  const impact = resource.changeImpact;
  // A changed type is a new resource under the same logical ID: CloudFormation replaces it.
  if (
    resource.resourceTypeChanged ||
    impact === ResourceImpact.WILL_REPLACE ||
    impact === ResourceImpact.MAY_REPLACE
  ) {
    return 'replaced';
  }
  return 'modified';
}

function securityChanges(diff: TemplateDiff): StackPreview['security'] {
  const { iamChanges, securityGroupChanges } = diff;
  const statements = [
    ...iamChanges.statements.additions.map((s) => ({
      change: 'added' as const,
      widens: !s.isNegativeStatement,
      s,
    })),
    ...iamChanges.statements.removals.map((s) => ({
      change: 'removed' as const,
      widens: s.isNegativeStatement,
      s,
    })),
  ].map(({ change, widens, s }) => {
    const rendered = s.render();
    return {
      change,
      widens,
      effect: rendered.effect,
      actions: rendered.action,
      resources: rendered.resource,
      principals: rendered.principal,
      ...(rendered.condition === '' ? {} : { condition: rendered.condition }),
    };
  });
  const managedPolicies = [
    ...iamChanges.managedPolicies.additions.map((p) => ({ change: 'added' as const, p })),
    ...iamChanges.managedPolicies.removals.map((p) => ({ change: 'removed' as const, p })),
  ].map(({ change, p }) => ({ change, identity: p.identityArn, policy: p.managedPolicyArn }));
  const rules = (direction: 'ingress' | 'egress') => {
    const collection = securityGroupChanges[direction];
    return [
      ...collection.additions.map((r) => ({ change: 'added' as const, widens: true, r })),
      ...collection.removals.map((r) => ({ change: 'removed' as const, widens: false, r })),
    ].map(({ change, widens, r }) => ({
      change,
      direction,
      widens,
      group: refText(r.groupId),
      protocol: r.describeProtocol(),
      peer: r.describePeer(),
    }));
  };
  return {
    permissionsBroadened: diff.permissionsBroadened,
    iamStatements: statements,
    managedPolicies,
    securityGroupRules: [...rules('ingress'), ...rules('egress')],
  };
}

/** Findings and suppressions that appear or disappear between the deployed and the next nag report. */
export function complianceDelta(deployed: unknown, next: unknown): StackPreview['compliance'] {
  const before = staticCompliance(deployed);
  const after = staticCompliance(next);
  if (!before.available || !after.available) return { available: false, entries: [] };
  const index = (report: typeof before) => {
    const entries = new Map<string, Omit<NagDeltaEntry, 'change'>>();
    for (const pack of report.packs) {
      const add = (
        kind: NagDeltaEntry['kind'],
        item: { ruleId: string; resource: string; findingId?: string },
        detail?: string,
      ) =>
        entries.set(JSON.stringify([pack.pack, kind, item.ruleId, item.resource, item.findingId ?? '']), {
          pack: pack.pack,
          kind,
          ruleId: item.ruleId,
          resource: item.resource,
          ...(item.findingId === undefined ? {} : { findingId: item.findingId }),
          ...(detail === undefined ? {} : { detail }),
        });
      for (const error of pack.errors) add('error', error, error.message);
      for (const warning of pack.warnings) add('warning', warning, warning.message);
      for (const suppression of pack.suppressed) add('suppression', suppression, suppression.reason);
    }
    return entries;
  };
  const old = index(before);
  const now = index(after);
  return {
    available: true,
    entries: [
      ...[...now]
        .filter(([key]) => !old.has(key))
        .map(([, entry]) => ({ ...entry, change: 'appears' as const })),
      ...[...old]
        .filter(([key]) => !now.has(key))
        .map(([, entry]) => ({ ...entry, change: 'disappears' as const })),
    ],
  };
}

/** The form's cost model on both specs; without the next spec there is nothing to price. */
function costDelta(
  deployed: EnvironmentSpec | undefined,
  next: EnvironmentSpec | undefined,
): StackPreview['cost'] {
  if (next === undefined) return undefined;
  const price = (spec: EnvironmentSpec) =>
    costEstimate({
      region: spec.region,
      features: spec.features,
      ...(spec.existingDatabaseSecretArn === undefined
        ? {}
        : { existingDatabaseSecretArn: spec.existingDatabaseSecretArn }),
    });
  const nextCost = price(next);
  if (deployed === undefined) return { next: nextCost };
  const deployedCost = price(deployed);
  return {
    deployed: deployedCost,
    next: nextCost,
    deltaMonthlyUsd: Math.round((nextCost.monthlyUsd - deployedCost.monthlyUsd) * 100) / 100,
  };
}

/** A template reference (`{"Fn::GetAtt": [...]}`, `{"Ref": ...}`) as `${Logical.Attr}` text. */
function refText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object') {
    const ref = (value as { Ref?: unknown }).Ref;
    if (typeof ref === 'string') return `\${${ref}}`;
    const getAtt = (value as { 'Fn::GetAtt'?: unknown })['Fn::GetAtt'];
    if (Array.isArray(getAtt)) return `\${${getAtt.join('.')}}`;
  }
  return JSON.stringify(value);
}

function shortJson(value: unknown): string {
  const text = JSON.stringify(value) ?? 'undefined';
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS)}…` : text;
}
