// The environment registry. Must never import aws-cdk-lib: the portal and the
// TTL sweeper Lambda bundle this module.
export { DynamoDbEnvironmentRegistry, type DynamoDbEnvironmentRegistryOptions } from './dynamodb-registry';
export {
  EnvironmentNotFoundError,
  InvalidEnvironmentRecordError,
  InvalidEnvironmentSpecError,
  SuffixTakenError,
  VersionConflictError,
} from './errors';
export {
  type CreateRegistryTableOptions,
  createLocalDynamoClient,
  createRegistryTable,
  createTableIfAbsent,
  type LocalDynamo,
  type StartLocalDynamoOptions,
  startLocalDynamo,
} from './local-dynamo';
export {
  ENVIRONMENT_STATUSES,
  type EnvironmentRecord,
  type EnvironmentStatus,
  type InvalidRegistryEntry,
  parseStoredRecord,
} from './records';
export type {
  EnvironmentRegistry,
  ListOptions,
  RegisterOptions,
  RegistrySnapshot,
  RemoveOptions,
  UpdateStatusOptions,
} from './registry';
