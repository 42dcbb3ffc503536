import type { EnvironmentKind } from '@sep/spec';
import { physicalName } from '@sep/spec';
import { DefaultStackSynthesizer, Duration, Fn, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { kindPolicy } from '../kind-policy';
import { acrossPacks, suppress } from '../nag/suppressions';
import { pascal } from './ids';

/**
 * Characters left out of generated passwords: those that break MySQL client
 * URIs, shells and JSON, as AWS's own rotation templates exclude them.
 */
export const DEFAULT_EXCLUDED_PASSWORD_CHARACTERS = ' %+~`#$&*()|[]{}:;<>?!\'/@"\\';

/** Actions that read or change a secret's value, which the resource policy reserves for named roles. */
const VALUE_ACTIONS = [
  'secretsmanager:GetSecretValue',
  'secretsmanager:PutSecretValue',
  'secretsmanager:UpdateSecretVersionStage',
];

export interface DatabaseSecretProps {
  /** The environment's suffix; names the secret through `physicalName('databaseSecret', …)`. */
  readonly environmentSuffix: string;

  /** Decides removal: `prod` retains the secret, other kinds delete it with the stack. */
  readonly kind: EnvironmentKind;

  /**
   * The secrets CMK. Used for a created secret; the rotation function gets
   * `kms:Decrypt`/`kms:GenerateDataKey` on it through Secrets Manager only.
   */
  readonly encryptionKey: kms.IKey;

  /**
   * Import this secret (full ARN, with its 6-character suffix) instead of
   * creating one. An imported secret's resource policy and rotation belong to
   * its owner: the construct changes neither unless `rotateImportedSecret`.
   *
   * @default - a secret is created
   */
  readonly existingSecretArn?: string;

  /**
   * Master user name stored in a created secret.
   *
   * @default 'sepadmin'
   */
  readonly username?: string;

  /**
   * Characters excluded from generated passwords.
   *
   * @default DEFAULT_EXCLUDED_PASSWORD_CHARACTERS
   */
  readonly excludeCharacters?: string;

  /**
   * The secret-rotation function (in the VPC). With it, the secret rotates on
   * `rotationInterval`; the construct lets Secrets Manager invoke it and
   * attaches a customer-managed policy for this secret to its role.
   *
   * @default - no rotation
   */
  readonly rotationFunction?: lambda.IFunction;

  /**
   * How often the secret rotates.
   *
   * @default Duration.days(30)
   */
  readonly rotationInterval?: Duration;

  /**
   * Rotate as soon as the schedule is created. Turn off when nothing uses the
   * credentials yet (no database), so the first rotation does not run against
   * a missing host.
   *
   * @default true
   */
  readonly rotateImmediately?: boolean;

  /**
   * Put the rotation schedule on an imported secret too (replacing any
   * schedule its owner set).
   *
   * @default false
   */
  readonly rotateImportedSecret?: boolean;

  /**
   * Roles allowed to read the secret's value. Everyone else is denied by the
   * secret's resource policy, whatever their IAM permissions; the roles still
   * need an IAM grant (`grantRead`).
   *
   * @default [] - only the rotation function and the deployment role
   */
  readonly readerRoles?: readonly iam.IRole[];

  /**
   * Roles CloudFormation deploys with. They resolve the secret's dynamic
   * references when a database is created from it, so the resource policy
   * must not deny them.
   *
   * @default - the CDK bootstrap CloudFormation execution role of the stack's synthesizer
   */
  readonly deploymentRoleArns?: readonly string[];
}

/**
 * Database credentials in Secrets Manager: created (KMS CMK, generated
 * password, 30-day rotation by the secret-rotation function, a resource policy
 * reserving the value to named roles) or imported from `existingSecretArn`.
 */
export class DatabaseSecret extends Construct {
  public readonly secret: secretsmanager.ISecret;
  /** True when the secret came from `existingSecretArn`. */
  public readonly imported: boolean;
  /**
   * The rotation schedule, when rotation is on. A database created from this
   * secret should be a dependency of it (`rotationSchedule.node.addDependency(cluster)`),
   * so that the first rotation finds the database.
   */
  public readonly rotationSchedule?: secretsmanager.CfnRotationSchedule;
  private readonly cfnSecret?: secretsmanager.CfnSecret;

  constructor(scope: Construct, id: string, props: DatabaseSecretProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const suffix = props.environmentSuffix;
    this.imported = props.existingSecretArn !== undefined;

    if (props.existingSecretArn !== undefined) {
      this.secret = secretsmanager.Secret.fromSecretCompleteArn(this, 'Secret', props.existingSecretArn);
    } else {
      // L1 rather than `Secret`: the L2 grants the account `kms:GenerateDataKey*`
      // and `kms:ReEncrypt*` on the key, wildcard actions the project's key
      // policies may not hold. The statement below names the actions instead.
      const cfnSecret = new secretsmanager.CfnSecret(this, 'Secret', {
        name: physicalName('databaseSecret', { suffix }),
        description: `Aurora MySQL master credentials of environment ${suffix}`,
        kmsKeyId: props.encryptionKey.keyArn,
        generateSecretString: {
          secretStringTemplate: JSON.stringify({ username: props.username ?? 'sepadmin' }),
          generateStringKey: 'password',
          passwordLength: 32,
          excludeCharacters: props.excludeCharacters ?? DEFAULT_EXCLUDED_PASSWORD_CHARACTERS,
        },
      });
      cfnSecret.applyRemovalPolicy(kindPolicy(props.kind).dataRemovalPolicy);
      this.secret = secretsmanager.Secret.fromSecretAttributes(this, 'SecretRef', {
        secretCompleteArn: cfnSecret.ref,
        encryptionKey: props.encryptionKey,
      });
      props.encryptionKey.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: `SecretsManagerUsesKeyFor${pascal(suffix)}DatabaseSecret`,
          principals: [new iam.AccountRootPrincipal()],
          actions: ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
          resources: ['*'],
          conditions: {
            StringEquals: {
              'kms:ViaService': `secretsmanager.${stack.region}.amazonaws.com`,
              'kms:CallerAccount': stack.account,
            },
          },
        }),
      );

      const allowed = [
        ...(props.readerRoles ?? []).map((role) => role.roleArn),
        ...(props.rotationFunction?.role !== undefined ? [props.rotationFunction.role.roleArn] : []),
        ...(props.deploymentRoleArns ?? defaultDeploymentRoleArns(stack)),
      ];
      new secretsmanager.CfnResourcePolicy(this, 'ResourcePolicy', {
        secretId: cfnSecret.ref,
        blockPublicPolicy: true,
        resourcePolicy: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              sid: 'DenyValueToUnnamedPrincipals',
              effect: iam.Effect.DENY,
              principals: [new iam.AnyPrincipal()],
              actions: VALUE_ACTIONS,
              resources: ['*'],
              conditions: { ArnNotLike: { 'aws:PrincipalArn': allowed } },
            }),
          ],
        }),
      });
      this.cfnSecret = cfnSecret;
    }

    const rotate =
      props.rotationFunction !== undefined && (!this.imported || props.rotateImportedSecret === true);
    if (rotate && props.rotationFunction !== undefined) {
      this.rotationSchedule = this.addRotation({
        suffix,
        rotationFunction: props.rotationFunction,
        encryptionKey: props.encryptionKey,
        interval: props.rotationInterval ?? Duration.days(30),
        rotateImmediately: props.rotateImmediately ?? true,
      });
    } else if (this.cfnSecret !== undefined) {
      suppress(
        this.cfnSecret,
        acrossPacks(
          [
            'AwsSolutions-SMG4',
            'PCI.DSS.321-SecretsManagerRotationEnabled',
            'NIST.800.53.R5-SecretsManagerRotationEnabled',
          ],
          'Rotation was not configured for this secret by the caller (no rotation function given); the environment stack passes the secret-rotation function whenever it creates a database secret.',
        ),
      );
    }
  }

  private addRotation(options: {
    suffix: string;
    rotationFunction: lambda.IFunction;
    encryptionKey: kms.IKey;
    interval: Duration;
    rotateImmediately: boolean;
  }): secretsmanager.CfnRotationSchedule {
    const stack = Stack.of(this);
    const { rotationFunction } = options;

    // Built by hand rather than with RotationSchedule, whose grants land in the
    // function's default policy (an inline policy, with GetRandomPassword on *).
    const permission = new lambda.CfnPermission(this, 'AllowSecretsManagerInvoke', {
      action: 'lambda:InvokeFunction',
      functionName: rotationFunction.functionArn,
      principal: 'secretsmanager.amazonaws.com',
      sourceAccount: stack.account,
    });

    if (rotationFunction.role !== undefined) {
      const secretsManagerEndpoint = `secretsmanager.${stack.region}.amazonaws.com`;
      const policy = new iam.ManagedPolicy(this, 'RotationPolicy', {
        description: `Lets the secret-rotation function of ${options.suffix} rotate its database secret`,
        roles: [rotationFunction.role],
        statements: [
          new iam.PolicyStatement({
            actions: ['secretsmanager:DescribeSecret', ...VALUE_ACTIONS],
            resources: [this.secret.secretArn],
          }),
          new iam.PolicyStatement({
            actions: ['secretsmanager:GetRandomPassword'],
            resources: ['*'],
          }),
          new iam.PolicyStatement({
            actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
            resources: [options.encryptionKey.keyArn],
            conditions: { StringEquals: { 'kms:ViaService': secretsManagerEndpoint } },
          }),
        ],
      });
      suppress(policy, [
        {
          ruleId: 'AwsSolutions-IAM5',
          appliesTo: ['Resource::*'],
          reason:
            'secretsmanager:GetRandomPassword generates a random string and acts on no resource (Service Authorization Reference lists no resource type); every other statement names the secret or the key.',
        },
      ]);
      // The key policy names the role as well, so rotation works whatever the key's IAM delegation.
      options.encryptionKey.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'AllowSecretRotationThroughSecretsManager',
          principals: [new iam.ArnPrincipal(rotationFunction.role.roleArn)],
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resources: ['*'],
          conditions: { StringEquals: { 'kms:ViaService': secretsManagerEndpoint } },
        }),
      );
    }

    const schedule = new secretsmanager.CfnRotationSchedule(this, 'RotationSchedule', {
      secretId: this.secret.secretArn,
      rotationLambdaArn: rotationFunction.functionArn,
      rotateImmediatelyOnUpdate: options.rotateImmediately,
      rotationRules: { automaticallyAfterDays: options.interval.toDays() },
    });
    schedule.node.addDependency(permission);
    return schedule;
  }
}

function defaultDeploymentRoleArns(stack: Stack): string[] {
  const synthesizer = stack.synthesizer;
  if (synthesizer instanceof DefaultStackSynthesizer) {
    // The synthesizer's ARN carries ${AWS::Partition}-style placeholders meant for Fn::Sub.
    const arn = synthesizer.cloudFormationExecutionRoleArn;
    return [arn.includes('${') ? Fn.sub(arn) : arn];
  }
  return [];
}
