/**
 * The portal API's typed client. `paths` and `components` are generated from the portal's OpenAPI
 * document (`openapi.json`, written by `npm run openapi -w @sep/portal`) by openapi-typescript; calls go
 * through openapi-fetch, so a request or an answer the API no longer accepts or gives breaks the build.
 */
import createClient, { type Client } from 'openapi-fetch';
import type { components, paths } from '../generated/openapi';
import { SepApiError, toSepApiError } from './api-error';

export { type ApiErrorCode, type FieldError, SepApiError, toSepApiError } from './api-error';

export type { components, paths };
export type Schemas = components['schemas'];
export type EnvironmentDetail = Schemas['EnvironmentDetail'];
export type EnvironmentList = Schemas['EnvironmentList'];
export type EnvironmentStatus = Schemas['EnvironmentStatus'];
export type StreamMessage = Schemas['StreamMessage'];
export type SepClient = Client<paths>;

/** Statuses after which nothing changes without a new request. */
export const SETTLED_STATUSES: readonly EnvironmentStatus[] = ['ready', 'failed', 'destroyed'];

export interface SepClientOptions {
  /** The portal's origin, e.g. `http://127.0.0.1:3000`. */
  readonly baseUrl: string;
  /** A bearer token (`POST /api/auth/token` in local mode, `PORTAL_API_TOKENS` in aws mode). */
  readonly token?: string;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

/** A client for one portal, sending the bearer token when there is one. */
export function createSepClient(options: SepClientOptions): SepClient {
  const client = createClient<paths>({
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    headers: {
      accept: 'application/json',
      ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
    },
  });
  client.use({
    onError({ request }) {
      return new SepApiError({
        status: 0,
        code: 'network',
        message: `could not reach the portal at ${new URL(request.url).origin}`,
      });
    },
  });
  return client;
}

/** The answer's body, or a `SepApiError` with the API's code, message and fields. */
export async function unwrap<Data>(
  call: Promise<{ data?: Data; error?: unknown; response: Response }>,
): Promise<Data> {
  const { data, error, response } = await call;
  if (response.ok && data !== undefined) return data;
  throw toSepApiError(response, error);
}

/** One `event:`/`data:` block of a server-sent event stream, as a StreamMessage. */
export function parseStreamBlock(block: string): StreamMessage | undefined {
  const data = block
    .split('\n')
    .filter((line) => line.startsWith('data:'))
    .map((line) => line.slice(5).trimStart())
    .join('\n');
  if (data === '') return undefined;
  const message: StreamMessage = JSON.parse(data);
  return message;
}

/**
 * Follows `GET /api/environments/{suffix}/events` until the stream ends (the server ends it once the
 * environment settles), calling `onMessage` for each message.
 */
export async function followEnvironment(
  client: SepClient,
  suffix: string,
  onMessage: (message: StreamMessage) => void,
  signal?: AbortSignal,
): Promise<void> {
  const { response } = await client.GET('/api/environments/{suffix}/events', {
    params: { path: { suffix } },
    headers: { accept: 'text/event-stream' },
    parseAs: 'stream',
    ...(signal === undefined ? {} : { signal }),
  });
  if (!response.ok || response.body === null) {
    throw toSepApiError(response, await response.json().catch(() => undefined));
  }
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    buffered += decoder.decode(chunk.value, { stream: true }).replace(/\r\n/g, '\n');
    let end = buffered.indexOf('\n\n');
    while (end !== -1) {
      const message = parseStreamBlock(buffered.slice(0, end));
      buffered = buffered.slice(end + 2);
      if (message !== undefined) onMessage(message);
      end = buffered.indexOf('\n\n');
    }
  }
}
