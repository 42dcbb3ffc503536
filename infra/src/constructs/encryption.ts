import { type PhysicalNameKind, physicalName } from '@sep/spec';
import { ArnFormat, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { pascal } from './ids';
import { CLOUDWATCH_LOGS_KEY_ACTIONS, KEY_ADMIN_ACTIONS } from './key-actions';

/** What each customer-managed key of an environment protects. */
export const KEY_PURPOSES = ['data', 'logs', 'lambda', 'secrets'] as const;
export type KeyPurpose = (typeof KEY_PURPOSES)[number];

/** Actions a workload needs to read and write data under a key (never `kms:*`, never a wildcard). */
export const KEY_USE_ACTIONS = {
  decrypt: ['kms:Decrypt', 'kms:DescribeKey'],
  encrypt: ['kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
  encryptDecrypt: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
} as const satisfies Record<string, readonly string[]>;
export type KeyUse = keyof typeof KEY_USE_ACTIONS;

/**
 * Services that create grants on (or use) each key on behalf of the principal
 * calling them, e.g. CloudFormation creating a KMS-encrypted table or function.
 * `kms:ViaService` keeps that delegation to these services only.
 */
const VIA_SERVICES: Record<KeyPurpose, readonly string[]> = {
  data: ['s3', 'dynamodb', 'rds', 'sqs'],
  logs: ['logs', 'sns', 'sqs', 'firehose', 's3'],
  lambda: ['lambda'],
  secrets: ['secretsmanager'],
};

const ALIAS_KINDS: Record<KeyPurpose, PhysicalNameKind> = {
  data: 'dataKeyAlias',
  logs: 'logsKeyAlias',
  lambda: 'lambdaKeyAlias',
  secrets: 'secretsKeyAlias',
};

export interface EnvironmentKeysProps {
  /** The environment's suffix; the aliases carry it. */
  readonly environmentSuffix: string;

  /**
   * What happens to the keys when the stack is deleted: `RETAIN` for prod (data
   * encrypted under them may outlive the stack in backups), `DESTROY` otherwise
   * (KMS then schedules deletion after its waiting period).
   */
  readonly removalPolicy: RemovalPolicy;

  /**
   * CloudWatch Logs log-group name patterns (ARN resource part after
   * `log-group:`) that may use the logs key, e.g. `/sep/pr123/*`. The logs
   * service is held to these through the `kms:EncryptionContext:aws:logs:arn`
   * condition.
   */
  readonly logGroupPatterns: readonly string[];
}

/**
 * The environment's four customer-managed keys (data, logs, Lambda
 * environment, secrets), each rotating yearly, each with a key policy written
 * out statement by statement: administration by the account listed action by
 * action (no `kms:*`), use through the named AWS services only, the named
 * workload roles added by the constructs that use them.
 */
export class EnvironmentKeys extends Construct {
  public readonly data: kms.IKey;
  public readonly logs: kms.IKey;
  public readonly lambda: kms.IKey;
  public readonly secrets: kms.IKey;

  constructor(scope: Construct, id: string, props: EnvironmentKeysProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const make = (purpose: KeyPurpose, description: string): kms.IKey => {
      const { cfnKey, key } = administeredKey(this, `${pascal(purpose)}Key`, {
        description: `${description} (environment ${props.environmentSuffix})`,
        removalPolicy: props.removalPolicy,
      });
      key.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'UseThroughNamedServicesOnly',
          principals: [new iam.AccountRootPrincipal()],
          actions: [
            'kms:CreateGrant',
            'kms:Decrypt',
            'kms:Encrypt',
            'kms:GenerateDataKey',
            'kms:DescribeKey',
          ],
          resources: ['*'],
          conditions: {
            StringEquals: {
              'kms:CallerAccount': stack.account,
              'kms:ViaService': VIA_SERVICES[purpose].map(
                (service) => `${service}.${stack.region}.amazonaws.com`,
              ),
            },
          },
        }),
      );
      new kms.CfnAlias(this, `${pascal(purpose)}Alias`, {
        aliasName: physicalName(ALIAS_KINDS[purpose], { suffix: props.environmentSuffix }),
        targetKeyId: cfnKey.attrArn,
      });
      return key;
    };

    this.data = make('data', 'Documents, transactions and audit records');
    this.logs = make('logs', 'CloudWatch log groups, alert topic and dead-letter queues');
    this.lambda = make('lambda', 'Lambda environment variables');
    this.secrets = make('secrets', 'Secrets Manager secrets');

    this.logs.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchLogsForThisEnvironment',
        principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
        actions: [...CLOUDWATCH_LOGS_KEY_ACTIONS],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': props.logGroupPatterns.map((pattern) =>
              stack.formatArn({
                service: 'logs',
                resource: 'log-group',
                resourceName: pattern,
                arnFormat: ArnFormat.COLON_RESOURCE_NAME,
              }),
            ),
          },
        },
      }),
    );
  }

  /** Every key, for outputs, monitoring and the auditor role. */
  public all(): Record<KeyPurpose, kms.IKey> {
    return { data: this.data, logs: this.logs, lambda: this.lambda, secrets: this.secrets };
  }

  /**
   * Names a role in a key's policy. The workload roles' own policies carry no
   * KMS statements: the key policy is where KMS authorizes them, and a role
   * policy naming the key while the key names the role would be a dependency cycle.
   */
  public static allow(key: kms.IKey, role: iam.IRole, use: KeyUse, sid: string): void {
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid,
        principals: [role],
        actions: [...KEY_USE_ACTIONS[use]],
        resources: ['*'],
      }),
    );
  }

  /**
   * Lets an AWS service principal use a key for resources of this account only.
   */
  public static allowService(options: {
    readonly key: kms.IKey;
    readonly service: string;
    readonly use: KeyUse;
    readonly sid: string;
  }): void {
    const stack = Stack.of(options.key);
    options.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: options.sid,
        principals: [new iam.ServicePrincipal(options.service)],
        actions: [...KEY_USE_ACTIONS[options.use]],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    );
  }
}

/**
 * A rotating L1 key whose policy starts with explicit administration by the account and holds only what
 * callers add through the returned IKey (rendered lazily). `kms.Key` always adds `kms:*` for the account
 * root, which the project's policies may not contain; the environment's and the account-security keys
 * both go through here so that the administration statement cannot drift.
 */
export function administeredKey(
  scope: Construct,
  id: string,
  options: { readonly description: string; readonly removalPolicy: RemovalPolicy },
): { readonly cfnKey: kms.CfnKey; readonly key: kms.IKey } {
  const cfnKey = new kms.CfnKey(scope, id, {
    description: options.description,
    enableKeyRotation: true,
    keyPolicy: { Version: '2012-10-17', Statement: [] },
  });
  cfnKey.applyRemovalPolicy(options.removalPolicy);
  const key = kms.Key.fromCfnKey(cfnKey);
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'KeyAdministrationByTheAccount',
      principals: [new iam.AccountRootPrincipal()],
      actions: [...KEY_ADMIN_ACTIONS],
      resources: ['*'],
    }),
  );
  return { cfnKey, key };
}
