import type { APIGatewayProxyResult } from 'aws-lambda';
import type { FieldError } from './errors';

/**
 * JSON responses for API Gateway proxy integrations. Errors follow the project's
 * shape `{ error: { code, message, fields? } }` (SPEC section 7).
 */

const JSON_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
} as const;

export function jsonResponse(statusCode: number, body: unknown): APIGatewayProxyResult {
  return { statusCode, headers: { ...JSON_HEADERS }, body: JSON.stringify(body) };
}

export interface ErrorResponseOptions {
  readonly statusCode: number;
  /** Stable machine-readable code, e.g. `validation_failed`. */
  readonly code: string;
  readonly message: string;
  /**
   * Field-by-field problems for validation errors.
   * @default none
   */
  readonly fields?: readonly FieldError[];
}

export function errorResponse(options: ErrorResponseOptions): APIGatewayProxyResult {
  const error =
    options.fields === undefined
      ? { code: options.code, message: options.message }
      : { code: options.code, message: options.message, fields: options.fields };
  return jsonResponse(options.statusCode, { error });
}
