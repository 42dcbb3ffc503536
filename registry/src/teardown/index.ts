// The destroy path shared by the portal's destroy button and the TTL sweeper.
// Must never import aws-cdk-lib.
export { NotEphemeralError, TeardownRefusedError } from './errors';
export { type EnvironmentStack, findEnvironmentStacks, refusalReason } from './stacks';
export { EnvironmentTeardown, RECREATE_PREFIX, TEARDOWN_FAILURE_PREFIX } from './teardown';
export type {
  BackoffOptions,
  DestroyOptions,
  EnvironmentTeardownOptions,
  StackOutcome,
  StackTarget,
  TeardownResult,
} from './teardown-types';
