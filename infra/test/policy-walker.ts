import type { Template } from 'aws-cdk-lib/assertions';
import { type CfnResource, resources } from './fixtures';

/** A policy document found in a template, with where it was found. */
export interface FoundPolicy {
  readonly logicalId: string;
  readonly type: string;
  readonly where: string;
  readonly document: { Statement?: unknown[] };
}

/** Where each resource type keeps its policy documents. */
const POLICY_LOCATIONS: Record<string, (properties: Record<string, unknown>) => [string, unknown][]> = {
  'AWS::IAM::Policy': (p) => [['PolicyDocument', p.PolicyDocument]],
  'AWS::IAM::ManagedPolicy': (p) => [['PolicyDocument', p.PolicyDocument]],
  'AWS::IAM::Role': (p) =>
    ((p.Policies as { PolicyName: string; PolicyDocument: unknown }[] | undefined) ?? []).map((policy) => [
      `Policies.${policy.PolicyName}`,
      policy.PolicyDocument,
    ]),
  'AWS::KMS::Key': (p) => [['KeyPolicy', p.KeyPolicy]],
  'AWS::S3::BucketPolicy': (p) => [['PolicyDocument', p.PolicyDocument]],
  'AWS::SNS::TopicPolicy': (p) => [['PolicyDocument', p.PolicyDocument]],
  'AWS::SQS::QueuePolicy': (p) => [['PolicyDocument', p.PolicyDocument]],
  'AWS::EC2::VPCEndpoint': (p) => [['PolicyDocument', p.PolicyDocument]],
  'AWS::ApiGateway::RestApi': (p) => [['Policy', p.Policy]],
  'AWS::SecretsManager::ResourcePolicy': (p) => [['ResourcePolicy', p.ResourcePolicy]],
};

export const POLICY_RESOURCE_TYPES = Object.keys(POLICY_LOCATIONS);

/** Every policy document of the template (IAM, key, bucket, topic, queue, endpoint, API, secret). */
export function findPolicies(template: Template): FoundPolicy[] {
  return resources(template).flatMap(([logicalId, resource]: [string, CfnResource]) => {
    const locate = POLICY_LOCATIONS[resource.Type];
    if (locate === undefined) return [];
    return locate(resource.Properties ?? {})
      .filter(([, document]) => document !== undefined)
      .map(([where, document]) => ({
        logicalId,
        type: resource.Type,
        where,
        document: document as { Statement?: unknown[] },
      }));
  });
}

type Statement = { Effect?: string; Action?: unknown; NotAction?: unknown; Condition?: unknown };

/**
 * `enforceSSL` (buckets, queues, topics): Deny `s3:*`/`sqs:*`/… when
 * `aws:SecureTransport` is false. A wildcard in a Deny narrows access; this one
 * is aws-cdk-lib's TLS-only (and TLS >= 1.2, `minimumTLSVersion`) statement and is recognised by its exact condition.
 */
export function isTlsOnlyDeny(statement: Statement): boolean {
  const condition = JSON.stringify(statement.Condition);
  return (
    statement.Effect === 'Deny' &&
    (condition === JSON.stringify({ Bool: { 'aws:SecureTransport': 'false' } }) ||
      condition === JSON.stringify({ NumericLessThan: { 's3:TlsVersion': 1.2 } }))
  );
}

export interface WildcardAction {
  readonly logicalId: string;
  readonly type: string;
  readonly where: string;
  readonly action: string;
}

/** Actions containing `*` (or `NotAction`, which is a wildcard in disguise) in Allow or Deny statements. */
export function wildcardActions(policy: FoundPolicy): WildcardAction[] {
  const statements = (policy.document.Statement ?? []) as Statement[];
  return statements
    .filter((statement) => !isTlsOnlyDeny(statement))
    .flatMap((statement) => {
      const actions = [statement.Action]
        .flat()
        .filter((action): action is string => typeof action === 'string');
      const found = actions.filter((action) => action.includes('*'));
      if (statement.NotAction !== undefined) found.push(`NotAction:${JSON.stringify(statement.NotAction)}`);
      return found.map((action) => ({
        logicalId: policy.logicalId,
        type: policy.type,
        where: policy.where,
        action,
      }));
    });
}

/**
 * Wildcard actions aws-cdk-lib writes itself, in helpers whose policies we do
 * not author. Each is listed with its reason; anything else fails the test.
 */
export const CDK_GENERATED_WILDCARDS: readonly {
  type: string;
  logicalIdPrefix: string;
  actions: string[];
  reason: string;
}[] = [
  {
    type: 'AWS::S3::BucketPolicy',
    logicalIdPrefix: 'Storage',
    actions: ['s3:DeleteObject*', 's3:GetBucket*', 's3:List*'],
    reason:
      'autoDeleteObjects (ephemeral only): aws-cdk-lib grants its empty-on-delete helper role these actions on the bucket in the bucket policy',
  },
];

export function isCdkGenerated(finding: WildcardAction): boolean {
  return CDK_GENERATED_WILDCARDS.some(
    (allowed) =>
      allowed.type === finding.type &&
      finding.logicalId.startsWith(allowed.logicalIdPrefix) &&
      allowed.actions.includes(finding.action),
  );
}
