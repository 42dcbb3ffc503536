import type { DeploymentTarget } from '@sep/registry/targets';
import type { TargetLocation } from '@sep/spec';
import { Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';

/** The registry calls the module makes (Get/Put/Update/Delete/Scan), listed one by one. */
export const REGISTRY_READ_WRITE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:Scan',
  'dynamodb:DescribeTable',
] as const;
export const REGISTRY_READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:Scan', 'dynamodb:DescribeTable'] as const;
/** What DynamoDB needs from the caller to use a customer-managed table key. */
export const TABLE_KEY_ACTIONS = [
  'kms:Decrypt',
  'kms:Encrypt',
  'kms:GenerateDataKey',
  'kms:DescribeKey',
] as const;

/** The given calls on one table, and the table key's actions through DynamoDB only. */
export function registryStatements(options: {
  readonly scope: Construct;
  readonly table: dynamodb.ITable;
  readonly key: kms.IKey;
  readonly actions: readonly string[];
  /** Statement IDs `<sid>` and `<sid>Key`. @default 'Registry' */
  readonly sid?: string;
}): iam.PolicyStatement[] {
  const stack = Stack.of(options.scope);
  const sid = options.sid ?? 'Registry';
  return [
    new iam.PolicyStatement({
      sid,
      actions: [...options.actions],
      resources: [options.table.tableArn],
    }),
    new iam.PolicyStatement({
      sid: `${sid}Key`,
      actions: [...TABLE_KEY_ACTIONS],
      resources: [options.key.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${stack.region}.amazonaws.com` } },
    }),
  ];
}

/**
 * `sts:AssumeRole` on one role per deployment target (the account-security stack's platform-access
 * or smoke-test role of that account and region), named exactly: no pattern.
 */
export function assumeTargetRolesStatement(options: {
  readonly sid: string;
  readonly targets: readonly DeploymentTarget[];
  readonly roleArnOf: (target: TargetLocation) => string;
  readonly partition: string;
}): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: options.sid,
    actions: ['sts:AssumeRole'],
    resources: [
      ...new Set(
        options.targets.map((target) => options.roleArnOf({ ...target, partition: options.partition })),
      ),
    ],
  });
}
