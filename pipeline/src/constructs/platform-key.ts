import { CLOUDWATCH_LOGS_KEY_ACTIONS, KEY_ADMIN_ACTIONS } from '@sep/infra';
import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/**
 * Delegated to IAM: a principal also needs an identity policy naming this key to use it. (ListGrants and
 * RevokeGrant come with KEY_ADMIN_ACTIONS, delegated to IAM the same way.)
 */
export const KEY_USE_ACTIONS = [
  'kms:Encrypt',
  'kms:Decrypt',
  'kms:GenerateDataKey',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
  'kms:CreateGrant',
  'kms:RetireGrant',
];

/**
 * The key policy of the pipeline's customer-managed keys: administration by the
 * account (infra's KEY_ADMIN_ACTIONS, the list every key of the product uses) and use delegated to IAM, so a principal also needs
 * an identity policy naming the key. `useActions` are the uses delegated (@default the symmetric
 * keys' KEY_USE_ACTIONS).
 */
export function accountKeyPolicyStatements(
  useActions: readonly string[] = KEY_USE_ACTIONS,
): iam.PolicyStatement[] {
  const account = new iam.AccountRootPrincipal();
  return [
    new iam.PolicyStatement({
      sid: 'KeyAdministration',
      principals: [account],
      actions: [...KEY_ADMIN_ACTIONS],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'DelegateUseToIam',
      principals: [account],
      actions: [...useActions],
      resources: ['*'],
    }),
  ];
}

export interface PlatformKeyProps {
  /**
   * Log groups (names, `*` allowed) CloudWatch Logs may encrypt with the key:
   * the logs service is held to these through the `kms:EncryptionContext:aws:logs:arn`
   * condition. @default none
   */
  readonly logGroupPatterns?: readonly string[];
  /** @default the platform data key's description */
  readonly description?: string;
}

/** Customer-managed key (rotated yearly) of the platform's own data: the registry, the owner notifications, the published cdk-nag reports and the pipeline's own log groups. */
export class PlatformKey extends Construct {
  readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: PlatformKeyProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);
    const statements = accountKeyPolicyStatements();
    const patterns = props.logGroupPatterns ?? [];
    if (patterns.length > 0) {
      statements.push(
        new iam.PolicyStatement({
          sid: 'CloudWatchLogsForPlatformLogGroups',
          principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
          actions: [...CLOUDWATCH_LOGS_KEY_ACTIONS],
          resources: ['*'],
          conditions: {
            ArnLike: {
              'kms:EncryptionContext:aws:logs:arn': patterns.map((pattern) =>
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
    this.key = new kms.Key(this, 'Key', {
      description:
        props.description ??
        'Secure Environment Portal platform data (environment registry, owner notifications, compliance reports, pipeline logs)',
      enableKeyRotation: true,
      pendingWindow: Duration.days(30),
      removalPolicy: RemovalPolicy.RETAIN,
      policy: new iam.PolicyDocument({ statements }),
    });
  }
}
