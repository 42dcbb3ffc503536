import type { EnvironmentSpec } from '@sep/spec';
import { CfnResource, TagManager, Tags } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** The tag keys every resource of an environment carries (SPEC section 4). */
export const ENVIRONMENT_TAG_KEYS = [
  'Environment',
  'Owner',
  'Project',
  'CostCenter',
  'DataClassification',
  'ComplianceLevel',
] as const;
export type EnvironmentTagKey = (typeof ENVIRONMENT_TAG_KEYS)[number];

/** The tag values of an environment; `Environment` is its suffix (Config rules are scoped by it). */
export function environmentTags(spec: EnvironmentSpec): Record<EnvironmentTagKey, string> {
  return {
    Environment: spec.environmentSuffix,
    Owner: spec.owner,
    Project: spec.project,
    CostCenter: spec.costCenter,
    DataClassification: spec.dataClassification,
    ComplianceLevel: spec.complianceLevel,
  };
}

/** Tags every taggable resource under `scope` (CDK propagates through `Tags.of`). */
export function applyEnvironmentTags(scope: IConstruct, spec: EnvironmentSpec): void {
  for (const [key, value] of Object.entries(environmentTags(spec))) Tags.of(scope).add(key, value);
}

/** Types aws-cdk-lib's custom-resource providers create as raw CfnResources, which `Tags.of` skips. */
const UNTAGGABLE_HELPER_TYPES = ['AWS::IAM::Role', 'AWS::Lambda::Function'];

/**
 * Tags the roles and functions of aws-cdk-lib's custom-resource providers (auto-delete, default
 * security group, bucket notifications): they are raw CfnResources without a tag manager, so
 * `Tags.of` never reaches them and cost and ownership reports would miss them.
 */
export function tagCdkHelpers(scope: IConstruct, spec: EnvironmentSpec): void {
  const tags = Object.entries(environmentTags(spec)).map(([Key, Value]) => ({ Key, Value }));
  for (const node of scope.node.findAll()) {
    if (!(node instanceof CfnResource) || TagManager.isTaggable(node)) continue;
    if (!UNTAGGABLE_HELPER_TYPES.includes(node.cfnResourceType)) continue;
    node.addPropertyOverride('Tags', tags);
  }
}
