import { type CfnResource, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';

/** One statement of a policy document, as CloudFormation receives it (after `Stack.resolve`). */
export interface PolicyStatement {
  readonly Effect?: unknown;
  readonly Action?: unknown;
  readonly NotAction?: unknown;
}

/**
 * The permission policies a resource carries, resolved. Covered: identity policies
 * (`AWS::IAM::Policy`, `AWS::IAM::ManagedPolicy`, inline policies of roles, users and
 * groups) and the resource policies the project writes or aws-cdk-lib writes for it:
 * KMS key policies, S3 bucket policies, SNS topic and SQS queue policies, VPC endpoint
 * policies, API Gateway REST API policies, Secrets Manager resource policies.
 *
 * Not covered, on purpose: role trust policies (`AssumeRolePolicyDocument` grants
 * `sts:AssumeRole*` to principals; AwsSolutions and IAM Access Analyzer judge trust),
 * and AWS managed policies attached by ARN (not a document in the template).
 *
 * `undefined` means the resource carries no policy document (rule not applicable).
 */
export function policyDocumentsOf(node: CfnResource): unknown[] | undefined {
  const resolve = (value: unknown): unknown => Stack.of(node).resolve(value);
  if (node instanceof iam.CfnPolicy || node instanceof iam.CfnManagedPolicy) {
    return [resolve(node.policyDocument)];
  }
  if (node instanceof iam.CfnRole || node instanceof iam.CfnUser || node instanceof iam.CfnGroup) {
    const policies = resolve(node.policies);
    if (!Array.isArray(policies)) return [];
    return policies.map((policy: unknown) =>
      isRecord(policy) ? (policy.PolicyDocument ?? policy.policyDocument) : undefined,
    );
  }
  if (node instanceof kms.CfnKey) return [resolve(node.keyPolicy)];
  if (
    node instanceof s3.CfnBucketPolicy ||
    node instanceof sns.CfnTopicPolicy ||
    node instanceof sqs.CfnQueuePolicy ||
    node instanceof ec2.CfnVPCEndpoint
  ) {
    return [resolve(node.policyDocument)];
  }
  if (node instanceof apigateway.CfnRestApi) return [resolve(node.policy)];
  if (node instanceof secretsmanager.CfnResourcePolicy) return [resolve(node.resourcePolicy)];
  return undefined;
}

/**
 * The statements of resolved documents. A document or statement list that is still an
 * intrinsic (`Fn::If`, an imported value…) cannot be judged at synth time and is skipped,
 * as is a document given as a JSON string that does not parse.
 */
export function statementsOf(documents: readonly unknown[]): PolicyStatement[] {
  return documents.flatMap((document) => {
    const parsed = typeof document === 'string' ? parseJson(document) : document;
    if (!isRecord(parsed)) return [];
    const statements = parsed.Statement;
    const list = Array.isArray(statements) ? statements : [statements];
    return list.filter(isRecord);
  });
}

/** `Effect` is required by IAM; a statement without a literal `Deny` is treated as an Allow. */
export function isAllow(statement: PolicyStatement): boolean {
  return statement.Effect !== 'Deny';
}

/**
 * The literal action strings of `Action` or `NotAction`; unresolved tokens
 * (intrinsics left after `Stack.resolve`) are not actions we can judge and are left out.
 */
export function literalActions(value: unknown): string[] {
  return [value].flat().filter((action): action is string => typeof action === 'string');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
