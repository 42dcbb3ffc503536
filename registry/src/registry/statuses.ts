/**
 * An environment's lifecycle statuses, in lifecycle order. Kept free of imports so the
 * portal's browser code can share it (`@sep/registry/statuses`) without the registry's SDK.
 */
export const ENVIRONMENT_STATUSES = [
  'requested',
  'synthesizing',
  'deploying',
  'ready',
  'destroying',
  'destroyed',
  'failed',
] as const;
export type EnvironmentStatus = (typeof ENVIRONMENT_STATUSES)[number];
