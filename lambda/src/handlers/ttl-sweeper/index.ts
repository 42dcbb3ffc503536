import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDbEnvironmentRegistry } from '@sep/registry';
import { environmentStackName } from '@sep/registry/names';
import { TargetAccess } from '@sep/registry/target-access';
import { EnvironmentTeardown } from '@sep/registry/teardown';
import { createLogger } from '../../shared/logger';
import { loadSweeperEnvironment } from './config';
import { type SweepReport, sweep } from './sweeper';

const env = loadSweeperEnvironment(process.env);
const logger = createLogger({ level: env.LOG_LEVEL, fields: { handler: 'ttl-sweeper' } });
const registry = new DynamoDbEnvironmentRegistry({
  tableName: env.REGISTRY_TABLE_NAME,
  client: new DynamoDBClient({}),
  onInvalidEntry: (entry) => logger.warn('invalid registry entry skipped', { ...entry }),
});
// Each environment's stacks are read and deleted in its own account and region, as the platform-access
// role the account-security stack created there (the sweeper's role may assume exactly those).
const targets = new TargetAccess({ defaultAccount: env.DEFAULT_ACCOUNT, sessionName: 'sep-ttl-sweeper' });
const teardown = new EnvironmentTeardown({
  registry,
  cloudFormationFor: (target) => targets.client(CloudFormationClient, target),
  defaultAccount: env.DEFAULT_ACCOUNT,
  stackNamePrefix: env.STACK_NAME_PREFIX,
  // One DescribeStacks by name per environment, as the portal does: the role reads sep-* stacks only.
  stackNamesOf: (record) => [environmentStackName(record.environmentSuffix)],
  ...(env.PIPELINE_NAME === undefined ? {} : { pipeline: { pipelineName: env.PIPELINE_NAME } }),
});
const sns = new SNSClient({});

/** EventBridge Scheduler / rule invocation every 15 minutes; the event carries nothing we need. */
export async function handler(
  _event: unknown,
  context: { getRemainingTimeInMillis(): number },
): Promise<SweepReport> {
  const deadline = Date.now() + context.getRemainingTimeInMillis() - env.SAFETY_MARGIN_SECONDS * 1000;
  return sweep({
    registry,
    teardown,
    sns,
    notifyTopicArn: env.NOTIFY_TOPIC_ARN,
    now: new Date(),
    deadline,
    logger,
  });
}
