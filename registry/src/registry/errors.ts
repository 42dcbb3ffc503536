import type { FieldError } from '@sep/spec';

/** The suffix already names a registered environment (a conditional write lost the race). */
export class SuffixTakenError extends Error {
  override readonly name = 'SuffixTakenError';
  constructor(readonly environmentSuffix: string) {
    super(`environmentSuffix "${environmentSuffix}" is already registered`);
  }
}

export class EnvironmentNotFoundError extends Error {
  override readonly name = 'EnvironmentNotFoundError';
  constructor(readonly environmentSuffix: string) {
    super(`environment "${environmentSuffix}" is not registered`);
  }
}

/** Someone else changed the record since the caller read it (optimistic locking). */
export class VersionConflictError extends Error {
  override readonly name = 'VersionConflictError';
  constructor(
    readonly environmentSuffix: string,
    readonly expectedVersion: number,
    readonly actualVersion: number,
  ) {
    super(
      `environment "${environmentSuffix}" is at version ${actualVersion}, not ${expectedVersion}: it changed since it was read`,
    );
  }
}

/** A spec handed to `register` did not pass the shared schema; nothing was written. */
export class InvalidEnvironmentSpecError extends Error {
  override readonly name = 'InvalidEnvironmentSpecError';
  constructor(readonly errors: readonly FieldError[]) {
    super(`invalid environment spec: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
  }
}

/**
 * A stored record no longer passes validation (hand-edited item, or a schema
 * that tightened since it was written). Lists skip and report it; `get` throws.
 */
export class InvalidEnvironmentRecordError extends Error {
  override readonly name = 'InvalidEnvironmentRecordError';
  constructor(
    readonly environmentSuffix: string,
    readonly errors: readonly FieldError[],
  ) {
    super(
      `registry entry "${environmentSuffix}" is invalid: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
    );
  }
}
