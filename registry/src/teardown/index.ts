// The destroy path shared by the portal's destroy button and the TTL sweeper.
// Must never import aws-cdk-lib.
export { NotEphemeralError, TeardownRefusedError } from './errors';
export { type EnvironmentStack, findEnvironmentStacks, refusalReason } from './stacks';
export {
  type BackoffOptions,
  type DestroyOptions,
  EnvironmentTeardown,
  type EnvironmentTeardownOptions,
  RECREATE_PREFIX,
  type StackOutcome,
  type StackTarget,
  TEARDOWN_FAILURE_PREFIX,
  type TeardownResult,
} from './teardown';
