import type { ApiError, ApiErrorCode, FieldError } from '../server/domain/types';

/** A non-2xx answer from the portal API, with the server's code, message and field errors. */
export class ApiRequestError extends Error {
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
    this.name = 'ApiRequestError';
    this.status = options.status;
    this.code = options.code;
    this.fields = options.fields ?? [];
  }
}

function isApiError(body: unknown): body is ApiError {
  if (typeof body !== 'object' || body === null || !('error' in body)) return false;
  const error = (body as { error: unknown }).error;
  return typeof error === 'object' && error !== null && 'code' in error && 'message' in error;
}

async function readResponse<T>(response: Response): Promise<T> {
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (response.ok) return body as T;
  if (isApiError(body)) {
    throw new ApiRequestError({
      status: response.status,
      code: body.error.code,
      message: body.error.message,
      fields: body.error.fields,
    });
  }
  throw new ApiRequestError({
    status: response.status,
    code: 'internal',
    message: `The portal answered ${response.status} ${response.statusText}`.trim(),
  });
}

async function send(url: string, init: RequestInit): Promise<Response> {
  try {
    // Same-origin credentials: the session cookie; the browser adds Origin for the server's CSRF check.
    return await fetch(url, { credentials: 'same-origin', cache: 'no-store', ...init });
  } catch {
    throw new ApiRequestError({ status: 0, code: 'network', message: 'The portal could not be reached' });
  }
}

/** GETs JSON; the SWR fetcher of every page. */
export async function getJson<T>(url: string): Promise<T> {
  return readResponse<T>(await send(url, { headers: { accept: 'application/json' } }));
}

/** POSTs or DELETEs, with an optional JSON body; resolves to the parsed answer. */
export async function sendJson<T>(options: {
  readonly method: 'POST' | 'DELETE';
  readonly url: string;
  readonly body?: unknown;
}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const init: RequestInit = { method: options.method, headers };
  if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    init.body = JSON.stringify(options.body);
  }
  return readResponse<T>(await send(options.url, init));
}

/** A human sentence for any error thrown by the API helpers. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiRequestError) return error.message;
  if (error instanceof Error) return error.message;
  return 'Something went wrong';
}
