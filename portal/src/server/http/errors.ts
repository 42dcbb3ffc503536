import type { FieldError } from '@sep/spec';
import { DomainError } from '../domain/errors';
import { LimitExceededError } from '../domain/limits';
import type { ApiError, ApiErrorCode } from '../domain/types';
import { logger } from '../logger';
import { UpstreamError } from '../platform/port';

const STATUS: Readonly<Record<ApiErrorCode, number>> = {
  validation_failed: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  suffix_taken: 409,
  not_destroyable: 409,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  misdirected_request: 421,
  rate_limited: 429,
  upstream_unavailable: 503,
  internal: 500,
};

const NO_STORE = { 'cache-control': 'no-store' };

export function json(
  body: unknown,
  init: { status?: number; headers?: Record<string, string> } = {},
): Response {
  return Response.json(body, { status: init.status ?? 200, headers: { ...NO_STORE, ...init.headers } });
}

export function errorResponse(
  code: ApiErrorCode,
  message: string,
  fields?: readonly FieldError[],
  headers: Record<string, string> = {},
): Response {
  const body: ApiError = { error: { code, message, ...(fields === undefined ? {} : { fields }) } };
  return json(body, {
    status: STATUS[code],
    headers: { ...(code === 'unauthenticated' ? { 'www-authenticate': 'Bearer' } : {}), ...headers },
  });
}

/** Maps anything a handler throws to the API's error shape; unknown errors are logged, not echoed. */
export function toErrorResponse(error: unknown): Response {
  if (error instanceof LimitExceededError)
    return errorResponse(error.code, error.message, undefined, {
      'retry-after': String(error.retryAfterSeconds),
    });
  if (error instanceof DomainError) return errorResponse(error.code, error.message, error.fields);
  if (error instanceof UpstreamError) return errorResponse('upstream_unavailable', error.message);
  logger.error({ err: error }, 'unhandled error in route handler');
  return errorResponse('internal', 'internal error; see the server log');
}
