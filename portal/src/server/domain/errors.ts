import type { FieldError } from '@sep/spec';
import type { ApiErrorCode } from './types';

/** A domain refusal the HTTP layer turns into an `ApiError` with this code. */
export class DomainError extends Error {
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
