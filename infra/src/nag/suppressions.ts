import type { EnvironmentKind } from '@sep/spec';
import { NagSuppressions } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/** The packs the stage applies; a suppression must name a rule of one of them. */
const RULE_ID = /^(AwsSolutions|PCI\.DSS\.321|NIST\.800\.53\.R5|Sep)-[A-Za-z0-9]+$/;

/**
 * Rules whose findings are granular (`AwsSolutions-IAM5[Action::s3:GetObject]`):
 * a suppression of these must name the findings it covers, never the bare rule.
 */
export const GRANULAR_RULES = [
  'AwsSolutions-IAM4',
  'AwsSolutions-IAM5',
  'Sep-PolicyNoWildcardActions',
] as const;

/** Shortest reason accepted: a reviewer needs a sentence, not a word. */
export const MIN_REASON_LENGTH = 30;

/** A finding id, or a regular expression (`/…/`) for ids that embed CloudFormation intrinsics. */
export type Finding = string | { readonly regex: string };

export interface NagSuppression {
  /** The rule, e.g. `AwsSolutions-S1` or `NIST.800.53.R5-S3BucketReplicationEnabled`. */
  readonly ruleId: string;
  /**
   * The findings covered, e.g. `['Resource::*']` or `['Action::xray:PutTraceSegments']`.
   * Required for {@link GRANULAR_RULES}; rules without granular findings are
   * covered on the one resource the suppression is attached to.
   */
  readonly appliesTo?: readonly Finding[];
  /** Why the finding is acceptable, in terms a reviewer accepts. */
  readonly reason: string;
  /**
   * The environment kinds the reason is true for, when it argues from the kind (teardown,
   * duplication of PITR…). A test holds every suppression to it in every kind's stage.
   *
   * @default - every kind
   */
  readonly kinds?: readonly EnvironmentKind[];
}

const declared = new WeakMap<IConstruct, NagSuppression[]>();

/** The suppressions `suppress` attached to this construct, as declared (with their kinds). */
export function declaredSuppressions(scope: IConstruct): readonly NagSuppression[] {
  return declared.get(scope) ?? [];
}

/**
 * Attaches cdk-nag suppressions to ONE resource (or, with `applyToChildren`,
 * to a CDK-generated helper construct whose children we do not create),
 * refusing anything coarser than rule + finding + reason.
 */
export function suppress(
  scope: IConstruct,
  suppressions: readonly NagSuppression[],
  options: { readonly applyToChildren?: boolean } = {},
): void {
  for (const suppression of suppressions) validateSuppression(suppression, scope.node.path);
  declared.set(scope, [...declaredSuppressions(scope), ...suppressions]);
  NagSuppressions.addResourceSuppressions(
    scope,
    suppressions.map((suppression) => ({
      id: suppression.ruleId,
      reason: suppression.reason,
      ...(suppression.appliesTo === undefined ? {} : { appliesTo: [...suppression.appliesTo] }),
    })),
    options.applyToChildren ?? false,
  );
}

/** Same rule for several packs that check the same property (e.g. replication in PCI and NIST). */
export function acrossPacks(
  ruleIds: readonly string[],
  reason: string,
  appliesTo?: readonly Finding[],
): NagSuppression[] {
  return ruleIds.map((ruleId) => ({ ruleId, reason, ...(appliesTo === undefined ? {} : { appliesTo }) }));
}

export function validateSuppression(suppression: NagSuppression, path: string): void {
  const where = `cdk-nag suppression ${suppression.ruleId} on ${path}`;
  if (!RULE_ID.test(suppression.ruleId)) {
    throw new Error(`${where}: ruleId must be a rule of AwsSolutions, PCI.DSS.321, NIST.800.53.R5 or Sep`);
  }
  if ((GRANULAR_RULES as readonly string[]).includes(suppression.ruleId)) {
    if (suppression.appliesTo === undefined || suppression.appliesTo.length === 0) {
      throw new Error(`${where}: a granular rule needs appliesTo naming the specific findings`);
    }
  }
  for (const finding of suppression.appliesTo ?? []) {
    const text = typeof finding === 'string' ? finding : finding.regex;
    if (text.trim() === '' || text === '*' || /^\/\^?\.\*\$?\/$/.test(text)) {
      throw new Error(`${where}: appliesTo must name a specific finding, not "${text}"`);
    }
  }
  if (suppression.reason.trim().length < MIN_REASON_LENGTH) {
    throw new Error(
      `${where}: the reason must explain the exception (at least ${MIN_REASON_LENGTH} characters)`,
    );
  }
}
