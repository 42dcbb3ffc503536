import { encryptedLogGroup } from '@sep/infra';
import { bundleDirectory } from '@sep/lambda/bundles';
import { STACK_NAME_PREFIX } from '@sep/registry/names';
import type { DeploymentTarget } from '@sep/registry/targets';
import { platformAccessRoleArn } from '@sep/spec';
import { Aws, Duration, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { assumeTargetRolesStatement, REGISTRY_READ_WRITE_ACTIONS, registryStatements } from './policies';

export interface TtlSweeperProps {
  readonly registryTable: dynamodb.ITable;
  /** Encrypts the registry table, the notification topic and the sweeper's log group. */
  readonly platformKey: kms.IKey;
  /** The function's log group name (the platform key's policy lets CloudWatch Logs use it for this name). */
  readonly logGroupName: string;
  /** Owners subscribe here (filter policy on the `owner` attribute). */
  readonly notifyTopic: sns.ITopic;
  /** The environments pipeline: started after a teardown, its executions listed before a delete. */
  readonly pipelineName: string;
  readonly pipelineArn: string;
  /** The role's name: the target accounts' platform-access roles trust exactly this ARN. */
  readonly roleName: string;
  /** The deployment targets: the sweeper assumes each one's platform-access role. */
  readonly targets: readonly DeploymentTarget[];
  /** @default Duration.minutes(15) */
  readonly schedule?: Duration;
}

/**
 * Scheduled Lambda that destroys expired ephemeral environments through the
 * shared teardown (lambda/src/handlers/ttl-sweeper) and notifies their owners.
 */
export class TtlSweeper extends Construct {
  readonly function: lambda.Function;
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: TtlSweeperProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const logGroup = encryptedLogGroup(this, 'Logs', {
      logGroupName: props.logGroupName,
      retention: logs.RetentionDays.THREE_MONTHS,
      encryptionKey: props.platformKey,
    });
    // Its own role instead of AWSLambdaBasicExecutionRole: the function writes to its one log
    // group (the managed policy allows any log group of the account) and needs no CreateLogGroup.
    const role = new iam.Role(this, 'Role', {
      roleName: props.roleName,
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'TTL sweeper: destroys expired ephemeral environments, notifies owners',
    });
    logGroup.grantWrite(role);
    this.function = new lambda.Function(this, 'Function', {
      description: 'Destroys expired ephemeral environments and notifies their owners',
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(bundleDirectory('ttl-sweeper')),
      // Lambda's maximum: a teardown still running at the end resumes on the next run.
      timeout: Duration.minutes(15),
      memorySize: 512,
      // One sweep at a time: two would race for the same environments.
      reservedConcurrentExecutions: 1,
      logGroup,
      role,
      environment: {
        REGISTRY_TABLE_NAME: props.registryTable.tableName,
        NOTIFY_TOPIC_ARN: props.notifyTopic.topicArn,
        STACK_NAME_PREFIX,
        PIPELINE_NAME: props.pipelineName,
        // Environments whose spec names no account live in the pipeline's.
        DEFAULT_ACCOUNT: stack.account,
      },
    });
    const statements = [
      ...registryStatements({
        scope: this,
        table: props.registryTable,
        key: props.platformKey,
        actions: REGISTRY_READ_WRITE_ACTIONS,
      }),
      // Every CloudFormation call of the teardown happens in the target account, through its role.
      assumeTargetRolesStatement({
        sid: 'AssumeTargetPlatformAccessRoles',
        targets: props.targets,
        roleArnOf: platformAccessRoleArn,
        partition: Aws.PARTITION,
      }),
      new iam.PolicyStatement({
        sid: 'NotifyOwners',
        actions: ['sns:Publish'],
        resources: [props.notifyTopic.topicArn],
      }),
      new iam.PolicyStatement({
        sid: 'NotifyTopicKey',
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [props.platformKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `sns.${stack.region}.amazonaws.com` } },
      }),
      new iam.PolicyStatement({
        sid: 'EnvironmentsPipeline',
        // Restart after a teardown; before a delete, wait for executions that started before it.
        actions: ['codepipeline:StartPipelineExecution', 'codepipeline:ListPipelineExecutions'],
        resources: [props.pipelineArn],
      }),
    ];
    for (const statement of statements) this.function.addToRolePolicy(statement);

    this.rule = new events.Rule(this, 'Schedule', {
      description: 'Run the TTL sweeper',
      schedule: events.Schedule.rate(props.schedule ?? Duration.minutes(15)),
      targets: [new targets.LambdaFunction(this.function, { retryAttempts: 0 })],
    });
  }
}
