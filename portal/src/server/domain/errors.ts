import type { FieldError } from '@sep/spec';
import type { ApiErrorCode } from './types';

/**
 * Whether `value` carries `brand`. Next bundles `instrumentation.ts` (which starts the runtime) apart from the
 * route handlers, each with its own copy of these modules: an error the runtime's copy throws is not
 * `instanceof` the handler's copy of its class. Classes whose errors cross that line check a global symbol
 * (`Symbol.for`) in `Symbol.hasInstance` instead of the prototype chain.
 */
export function hasBrand(value: unknown, brand: symbol): boolean {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true;
}

const DOMAIN_ERROR = Symbol.for('sep.portal.DomainError');

/** A domain refusal the HTTP layer turns into an `ApiError` with this code. */
export class DomainError extends Error {
  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasBrand(value, DOMAIN_ERROR);
  }
  readonly [DOMAIN_ERROR] = true;
  override readonly name = 'DomainError';
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly fields?: readonly FieldError[],
  ) {
    super(message);
  }
}

export const validationFailed = (fields: readonly FieldError[], message = 'the request is invalid') =>
  new DomainError('validation_failed', message, fields);
export const forbidden = (message: string) => new DomainError('forbidden', message);
export const notFound = (message: string) => new DomainError('not_found', message);
export const notDestroyable = (message: string) => new DomainError('not_destroyable', message);
export const conflict = (message: string) => new DomainError('conflict', message);
