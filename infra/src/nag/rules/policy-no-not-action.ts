import type { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, type NagRuleResult } from 'cdk-nag';
import { isAllow, policyDocumentsOf, statementsOf } from './policy-documents';

/**
 * No Allow statement uses `NotAction`: "everything except these" grants every action
 * AWS has and will add, a wildcard in disguise. Deny + `NotAction` ("deny all but…")
 * narrows access and is allowed.
 */
export default Object.defineProperty(
  (node: CfnResource): NagRuleResult => {
    const documents = policyDocumentsOf(node);
    if (documents === undefined) return NagRuleCompliance.NOT_APPLICABLE;
    const offending = statementsOf(documents).some(
      (statement) => isAllow(statement) && statement.NotAction !== undefined,
    );
    return offending ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
  },
  'name',
  { value: 'PolicyNoNotAction' },
);
