import { CfnResource } from 'aws-cdk-lib';
import { NagMessageLevel, NagPack, type NagPackProps } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { PolicyNoNotAction, PolicyNoWildcardActions } from './rules';

/** The project's own pack name: rule ids read `Sep-<Rule>`. */
export const SEP_PACK_NAME = 'Sep';

/**
 * The project's own cdk-nag pack: the least-privilege rules the product promises
 * ("no wildcard IAM actions we write") that cdk-nag's packs do not check as strictly
 * (AwsSolutions-IAM5 also flags `Resource: *`; PCI/NIST flag only full `*:*` access).
 * One pure rule per file in `rules/`, as in cdk-nag's own packs.
 */
export class SepPolicyChecks extends NagPack {
  constructor(props?: NagPackProps) {
    super(props);
    this.packName = SEP_PACK_NAME;
  }

  public visit(node: IConstruct): void {
    if (!(node instanceof CfnResource)) return;
    this.applyRule({
      ruleSuffixOverride: 'PolicyNoWildcardActions',
      info: 'The policy allows a wildcard action (`*`, `service:*` or a prefix such as `s3:Get*`).',
      explanation:
        'Least privilege (PCI DSS v4.0 7.2.1/7.2.2): every allowed action is named, so a grant never widens when AWS adds actions. Wildcards in Deny statements are not flagged.',
      level: NagMessageLevel.ERROR,
      rule: PolicyNoWildcardActions,
      node,
    });
    this.applyRule({
      ruleSuffixOverride: 'PolicyNoNotAction',
      info: 'The policy has an Allow statement with NotAction.',
      explanation:
        'Allow + NotAction grants every action except the ones listed, including actions AWS adds later; name the allowed actions instead.',
      level: NagMessageLevel.ERROR,
      rule: PolicyNoNotAction,
      node,
    });
  }
}
