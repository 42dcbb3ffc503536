import { Sha256 } from '@aws-crypto/sha256-js';
import { type APIGatewayClient, GetApiKeyCommand } from '@aws-sdk/client-api-gateway';
import { DOCUMENTS_SMOKE_ROUTE, type SmokeRoute } from '@sep/spec';
import { SignatureV4 } from '@smithy/signature-v4';

export interface SmokeTestOptions {
  /** The stage's API URL output, e.g. `https://abc.execute-api.us-east-1.amazonaws.com/prod/`. */
  readonly apiUrl: string;
  /** The stage's API key ID output; its value is read from API Gateway, never from the pipeline. */
  readonly apiKeyId: string;
  readonly region: string;
  readonly credentials: ConstructorParameters<typeof SignatureV4>[0]['credentials'];
  readonly apiGateway: APIGatewayClient;
  /**
   * The route to call (`smokeRoute(features)`: one that exists for every feature set). POST /documents
   * sends a synthetic, PII-free text document.
   * @default DOCUMENTS_SMOKE_ROUTE (POST documents)
   */
  readonly route?: SmokeRoute;
  /** Attempts of the keyed call while a fresh deployment warms up (5xx, 429). @default 5 */
  readonly attempts?: number;
  /**
   * How long a keyed call answered 403 is retried: a key created by the deployment can be refused for
   * some seconds until API Gateway has propagated it to the usage plan. @default 60000
   */
  readonly keyPropagationMs?: number;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** @default Date.now */
  readonly clock?: () => number;
  /** @default console.log */
  readonly log?: (line: string) => void;
}

export interface SmokeTestResult {
  readonly withKey: number;
  readonly withoutKey: number;
}

export class SmokeTestError extends Error {
  override readonly name = 'SmokeTestError';
}

/**
 * Proves a deployed environment's API is both up and guarded: a SigV4-signed
 * request WITH the API key gets a 2xx, the same signed request WITHOUT the key
 * gets a 403 (so the 403 is the key's doing, not the IAM authorizer's).
 */
export async function runSmokeTest(options: SmokeTestOptions): Promise<SmokeTestResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const clock = options.clock ?? Date.now;
  const route = options.route ?? DOCUMENTS_SMOKE_ROUTE;
  const request: { readonly method: string; readonly path: string; readonly body?: string } = {
    method: route.method,
    path: route.path,
    ...(route.method === 'POST'
      ? {
          body: JSON.stringify({
            documentId: `smoke-${clock()}`,
            contentType: 'text/plain',
            content: 'pipeline smoke test: no personal data here',
          }),
        }
      : {}),
  };
  const url = new URL(
    request.path.replace(/^\//, ''),
    options.apiUrl.endsWith('/') ? options.apiUrl : `${options.apiUrl}/`,
  );

  const key = await options.apiGateway.send(
    new GetApiKeyCommand({ apiKey: options.apiKeyId, includeValue: true }),
  );
  if (key.value === undefined || key.value === '') {
    throw new SmokeTestError(`API key ${options.apiKeyId} has no value (or this role may not read it)`);
  }
  if (key.enabled === false) throw new SmokeTestError(`API key ${options.apiKeyId} is disabled`);

  const signer = new SignatureV4({
    service: 'execute-api',
    region: options.region,
    credentials: options.credentials,
    sha256: Sha256,
  });
  const call = async (apiKey: string | undefined) => {
    const headers: Record<string, string> = { host: url.host, 'content-type': 'application/json' };
    if (apiKey !== undefined) headers['x-api-key'] = apiKey;
    const signed = await signer.sign({
      method: request.method,
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port === '' ? {} : { port: Number(url.port) }),
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers,
      ...(request.body === undefined ? {} : { body: request.body }),
    });
    const response = await fetch(url, {
      method: request.method,
      headers: signed.headers,
      ...(request.body === undefined ? {} : { body: request.body }),
    });
    const text = await response.text();
    return { status: response.status, excerpt: text.slice(0, 200) };
  };

  const attempts = options.attempts ?? 5;
  const keyPropagationMs = options.keyPropagationMs ?? 60_000;
  const started = clock();
  let withKey = await call(key.value);
  for (let attempt = 1; ; attempt += 1) {
    const warmingUp = (withKey.status >= 500 || withKey.status === 429) && attempt < attempts;
    const keyPropagating = withKey.status === 403 && clock() - started < keyPropagationMs;
    if (!warmingUp && !keyPropagating) break;
    log(
      keyPropagating
        ? `with key: 403, the new key may not have propagated yet; retrying (${Math.round((clock() - started) / 1000)} of ${keyPropagationMs / 1000} s)`
        : `with key: ${withKey.status}, retrying (${attempt}/${attempts - 1})`,
    );
    await sleep(Math.min(2 ** attempt * 1000, 10_000));
    withKey = await call(key.value);
  }
  log(`${request.method} ${url.pathname} signed, with API key: ${withKey.status}`);
  if (withKey.status < 200 || withKey.status >= 300) {
    throw new SmokeTestError(`expected 2xx with the API key, got ${withKey.status}: ${withKey.excerpt}`);
  }
  const withoutKey = await call(undefined);
  log(`${request.method} ${url.pathname} signed, without API key: ${withoutKey.status}`);
  if (withoutKey.status !== 403) {
    throw new SmokeTestError(
      `expected 403 without the API key, got ${withoutKey.status}: ${withoutKey.excerpt}`,
    );
  }
  return { withKey: withKey.status, withoutKey: withoutKey.status };
}
