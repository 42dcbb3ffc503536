// The API's refusal as an Error, shared by the typed client and the portal's own pages: one class and one
// reading of the `{ error: { code, message, fields } }` body. It imports no fetch library, so the
// portal's browser bundle takes it without openapi-fetch.
import type { components } from '../generated/openapi';

type Schemas = components['schemas'];
export type ApiErrorCode = Schemas['ApiError']['error']['code'];
export type FieldError = Schemas['FieldError'];

/** A refused or failed call: the API's code, message and field errors, or `network` when nothing answered. */
export class SepApiError extends Error {
  readonly status: number;
  readonly code: ApiErrorCode | 'network';
  readonly fields: readonly FieldError[];

  constructor(options: {
    status: number;
    code: ApiErrorCode | 'network';
    message: string;
    fields?: readonly FieldError[];
  }) {
    super(options.message);
    this.name = 'SepApiError';
    this.status = options.status;
    this.code = options.code;
    this.fields = options.fields ?? [];
  }
}

function isApiError(body: unknown): body is Schemas['ApiError'] {
  if (typeof body !== 'object' || body === null || !('error' in body)) return false;
  const { error } = body;
  return typeof error === 'object' && error !== null && 'code' in error && 'message' in error;
}

/** The error a non-2xx answer stands for: the API's code, message and fields when it sent them. */
export function toSepApiError(response: Response, body: unknown): SepApiError {
  if (isApiError(body)) {
    return new SepApiError({
      status: response.status,
      code: body.error.code,
      message: body.error.message,
      ...(body.error.fields === undefined ? {} : { fields: body.error.fields }),
    });
  }
  return new SepApiError({
    status: response.status,
    code: 'internal',
    message: `The portal answered ${response.status} ${response.statusText}`.trim(),
  });
}
