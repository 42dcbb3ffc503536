import { SepApiError, toSepApiError } from '@sep/client/api-error';
import type { z } from 'zod';

/**
 * The answer's body, checked against the schema the API publishes for it (`server/domain/*view-schemas.ts`):
 * a page never works on a shape it was not written for (an API changed under an open tab, a proxy's page).
 * Without a schema the body is not read (204, sign-out).
 */
async function readResponse<S extends z.ZodType>(response: Response, schema: S): Promise<z.output<S>>;
async function readResponse(response: Response, schema?: undefined): Promise<void>;
async function readResponse(response: Response, schema?: z.ZodType): Promise<unknown> {
  const text = response.status === 204 ? '' : await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (response.ok) {
    if (schema === undefined) return undefined;
    const parsed = schema.safeParse(body);
    if (parsed.success) return parsed.data;
    throw new SepApiError({
      status: response.status,
      code: 'internal',
      message: 'The portal answered in a form this page does not know: reload the page',
    });
  }
  throw toSepApiError(response, body);
}

async function send(url: string, init: RequestInit): Promise<Response> {
  try {
    // Same-origin credentials: the session cookie; the browser adds Origin for the server's CSRF check.
    return await fetch(url, { credentials: 'same-origin', cache: 'no-store', ...init });
  } catch {
    throw new SepApiError({ status: 0, code: 'network', message: 'The portal could not be reached' });
  }
}

/** GETs JSON and checks it against the operation's response schema; what every page's SWR hook fetches with. */
export async function getJson<S extends z.ZodType>(url: string, schema: S): Promise<z.output<S>> {
  return readResponse(await send(url, { headers: { accept: 'application/json' } }), schema);
}

interface SendOptions {
  readonly method: 'POST' | 'DELETE';
  readonly url: string;
  readonly body?: unknown;
}

/** POSTs or DELETEs, with an optional JSON body; resolves to the answer checked against `schema`, if given. */
export async function sendJson<S extends z.ZodType>(
  options: SendOptions & { readonly schema: S },
): Promise<z.output<S>>;
export async function sendJson(options: SendOptions): Promise<void>;
export async function sendJson(options: SendOptions & { readonly schema?: z.ZodType }): Promise<unknown> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const init: RequestInit = { method: options.method, headers };
  if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    init.body = JSON.stringify(options.body);
  }
  const response = await send(options.url, init);
  return options.schema === undefined ? readResponse(response) : readResponse(response, options.schema);
}

/** A human sentence for any error thrown by the API helpers. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return 'Something went wrong';
}
