import type { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, type NagRuleFindings, type NagRuleResult } from 'cdk-nag';
import { isAllow, literalActions, policyDocumentsOf, statementsOf } from './policy-documents';

/**
 * Allow statements name every action: no `*`, no `service:*`, no prefix wildcard such as
 * `s3:Get*` or `kms:GenerateDataKey*` (a wildcard grants actions AWS adds later).
 * Deny statements may use wildcards (aws-cdk-lib's TLS-only `enforceSSL` denies `s3:*`):
 * a wildcard there narrows access. Granular: one finding per action (`Action::s3:Get*`),
 * so a suppression names the exact actions it accepts.
 */
export default Object.defineProperty(
  (node: CfnResource): NagRuleResult => {
    const documents = policyDocumentsOf(node);
    if (documents === undefined) return NagRuleCompliance.NOT_APPLICABLE;
    const findings: NagRuleFindings = [
      ...new Set(
        statementsOf(documents)
          .filter(isAllow)
          .flatMap((statement) => literalActions(statement.Action))
          .filter((action) => action.includes('*'))
          .map((action) => `Action::${action}`),
      ),
    ];
    return findings.length === 0 ? NagRuleCompliance.COMPLIANT : findings;
  },
  'name',
  { value: 'PolicyNoWildcardActions' },
);
