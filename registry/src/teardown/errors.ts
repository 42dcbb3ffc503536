/** Only ephemeral environments are ever torn down by the portal or the sweeper. */
export class NotEphemeralError extends Error {
  override readonly name = 'NotEphemeralError';
  constructor(
    readonly environmentSuffix: string,
    readonly kind: string,
  ) {
    super(`environment "${environmentSuffix}" is ${kind}: only ephemeral environments can be destroyed here`);
  }
}

/**
 * A stack that looks like the environment's carries no proof that it is an
 * ephemeral environment stack (tags) or is protected; nothing was deleted.
 */
export class TeardownRefusedError extends Error {
  override readonly name = 'TeardownRefusedError';
  constructor(
    readonly environmentSuffix: string,
    readonly stackName: string,
    readonly why: string,
  ) {
    super(`refusing to delete stack ${stackName} of environment "${environmentSuffix}": ${why}`);
  }
}
