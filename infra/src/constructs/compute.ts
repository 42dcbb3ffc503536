import { bundleDirectory, type HandlerName } from '@sep/lambda/bundles';
import { type PhysicalNameKind, physicalName } from '@sep/spec';
import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { suppress } from '../nag/suppressions';
import { EnvironmentKeys } from './encryption';
import { pascal } from './ids';
import { encryptedLogGroup } from './log-group';

/** The newest Node.js runtime aws-cdk-lib offers (cdk-nag's runtime rule wants it). */
export const FUNCTION_RUNTIME = lambda.Runtime.NODEJS_24_X;

/** Network interface actions Lambda needs to place a function in a VPC; EC2 offers no resource scoping at creation. */
const VPC_ACCESS_ACTIONS = [
  'ec2:CreateNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSubnets',
  'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses',
  'ec2:UnassignPrivateIpAddresses',
];
const TRACING_ACTIONS = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'];

export interface EnvironmentFunctionProps {
  readonly environmentSuffix: string;
  /** The bundle in `lambda/dist` (ARCHITECTURE.md); the handler is `index.handler`. */
  readonly handlerName: Exclude<HandlerName, 'ttl-sweeper'>;
  /** Physical-name kind of the function name. */
  readonly nameKind: PhysicalNameKind;
  readonly description: string;
  /** Environment variables; encrypted at rest with `lambdaKey`. */
  readonly environment: Record<string, string>;
  /**
   * What the function may do, resource by resource. KMS use is granted in the
   * key policies (see {@link EnvironmentFunctionProps.keyUses}), not here.
   */
  readonly statements: readonly iam.PolicyStatement[];
  /** Keys the function's role is named in, and for what. */
  readonly keyUses?: readonly {
    readonly key: kms.IKey;
    readonly use: 'decrypt' | 'encrypt' | 'encryptDecrypt';
  }[];
  readonly vpc: ec2.IVpc;
  readonly vpcSubnets: ec2.SubnetSelection;
  readonly securityGroups: readonly ec2.ISecurityGroup[];
  /** Encrypts environment variables. */
  readonly lambdaKey: kms.IKey;
  /** Encrypts the function's log group and dead-letter queue. */
  readonly logsKey: kms.IKey;
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  /** @default Duration.seconds(15) */
  readonly timeout?: Duration;
  /** @default 256 */
  readonly memorySize?: number;
  /** Bounds the blast radius of a runaway caller. @default 5 */
  readonly reservedConcurrency?: number;
}

/**
 * One environment Lambda function with everything the packs and the seeds ask
 * for: the prebuilt bundle from `lambda/dist` (never bundled at synth, never
 * inline), its own role holding one customer-managed policy we write (the role
 * is handed to Lambda without policy updates, so no CDK-generated statement
 * slips in), isolated subnets, KMS-encrypted environment, an explicit KMS log
 * group (no deprecated `logRetention` helper), a KMS dead-letter queue,
 * reserved concurrency and active tracing.
 */
export class EnvironmentFunction extends Construct {
  public readonly function: lambda.Function;
  public readonly role: iam.Role;
  public readonly policy: iam.ManagedPolicy;
  public readonly logGroup: logs.LogGroup;
  public readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: EnvironmentFunctionProps) {
    super(scope, id);
    const suffix = props.environmentSuffix;
    const functionName = physicalName(props.nameKind, { suffix });

    this.logGroup = encryptedLogGroup(this, 'LogGroup', {
      logGroupName: physicalName('logGroup', { suffix, part: props.handlerName }),
      encryptionKey: props.logsKey,
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      queueName: physicalName('deadLetterQueue', { suffix, part: props.handlerName }),
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.logsKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: props.removalPolicy,
    });

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${functionName}`,
      maxSessionDuration: Duration.hours(1),
    });
    // Attached from the policy side (`roles`): the keys name the role, the policy names the
    // log group and queue encrypted by those keys; role -> policy would close a cycle.
    this.policy = new iam.ManagedPolicy(this, 'Policy', {
      description: `Least privilege for ${functionName}`,
      roles: [this.role],
      statements: [
        new iam.PolicyStatement({
          sid: 'WriteOwnLogs',
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [this.logGroup.logGroupArn],
        }),
        new iam.PolicyStatement({
          sid: 'DeadLetters',
          actions: ['sqs:SendMessage'],
          resources: [this.deadLetterQueue.queueArn],
        }),
        new iam.PolicyStatement({
          sid: 'VpcNetworkInterfaces',
          actions: VPC_ACCESS_ACTIONS,
          resources: ['*'],
        }),
        new iam.PolicyStatement({ sid: 'Tracing', actions: TRACING_ACTIONS, resources: ['*'] }),
        ...props.statements,
      ],
    });
    EnvironmentKeys.allow(props.lambdaKey, this.role, 'decrypt', `EnvironmentOf${pascal(props.handlerName)}`);
    EnvironmentKeys.allow(
      props.logsKey,
      this.role,
      'encryptDecrypt',
      `DeadLettersOf${pascal(props.handlerName)}`,
    );
    for (const [index, { key, use }] of (props.keyUses ?? []).entries()) {
      EnvironmentKeys.allow(key, this.role, use, `${pascal(props.handlerName)}Use${index}`);
    }

    this.function = new lambda.Function(this, 'Function', {
      functionName,
      description: props.description,
      runtime: FUNCTION_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(bundleDirectory(props.handlerName)),
      // Every permission is in the managed policy above; CDK's own additions are dropped.
      role: this.role.withoutPolicyUpdates(),
      environment: props.environment,
      environmentEncryption: props.lambdaKey,
      timeout: props.timeout ?? Duration.seconds(15),
      memorySize: props.memorySize ?? 256,
      reservedConcurrentExecutions: props.reservedConcurrency ?? 5,
      tracing: lambda.Tracing.ACTIVE,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      deadLetterQueueEnabled: true,
      deadLetterQueue: this.deadLetterQueue,
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      securityGroups: [...props.securityGroups],
      allowPublicSubnet: false,
    });
    // The role's policy must exist before Lambda validates the VPC permissions at creation.
    this.function.node.addDependency(this.policy);

    suppress(this.policy, [
      {
        ruleId: 'AwsSolutions-IAM5',
        appliesTo: ['Resource::*'],
        reason:
          'Lambda creates the function ENIs (ec2:CreateNetworkInterface and friends), X-Ray accepts segments and EC2 Describe* calls (remediation) are authorized only with Resource "*": none offers resource-level scoping for these actions.',
      },
    ]);
    suppress(this.deadLetterQueue, [
      {
        ruleId: 'AwsSolutions-SQS3',
        reason:
          'This queue IS the function dead-letter queue (Lambda async DLQ, not an SQS redrive target); a DLQ of the DLQ would only move the problem.',
      },
    ]);
  }
}
