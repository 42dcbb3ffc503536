import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { APIGatewayClient, GetApiKeyCommand } from '@aws-sdk/client-api-gateway';
import { smokeRoute } from '@sep/spec';
import { mockClient } from 'aws-sdk-client-mock';
import { runSmokeTest, SmokeTestError } from './smoke-test';

const apiGateway = mockClient(APIGatewayClient);
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
}

/** An API stand-in with API Gateway's key semantics: signed requests only, key required. */
async function startApi(respond: (seen: Seen) => number) {
  const seen: Seen[] = [];
  const server: Server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      const entry = { method: request.method ?? '', url: request.url ?? '', headers: request.headers };
      seen.push(entry);
      const status = respond(entry);
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ status }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/prod/`,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const guarded = (seen: Seen) => {
  if (!String(seen.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/'))
    return 403;
  return seen.headers['x-api-key'] === 'the-key-value' ? 201 : 403;
};

// Where and as whom every smoke test calls: only the API's answers and the knobs under test differ.
const smokeTarget = (apiUrl: string) => ({
  apiUrl,
  apiKeyId: 'key-id',
  region: 'us-east-1',
  credentials,
  apiGateway: new APIGatewayClient({ region: 'us-east-1' }),
});

beforeEach(() => {
  apiGateway.reset();
  apiGateway.on(GetApiKeyCommand).resolves({ id: 'key-id', value: 'the-key-value', enabled: true });
});

it('passes when the keyed signed call succeeds and the unkeyed one is refused', async () => {
  const api = await startApi(guarded);
  try {
    const lines: string[] = [];
    const result = await runSmokeTest({
      ...smokeTarget(api.url),
      log: (line) => lines.push(line),
    });
    expect(result).toEqual({ withKey: 201, withoutKey: 403 });
    expect(api.seen.map((s) => [s.method, s.url])).toEqual([
      ['POST', '/prod/documents'],
      ['POST', '/prod/documents'],
    ]);
    expect(api.seen[0]?.headers['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
    expect(api.seen[1]?.headers['x-api-key']).toBeUndefined();
    expect(apiGateway.commandCalls(GetApiKeyCommand)[0]?.args[0].input).toEqual({
      apiKey: 'key-id',
      includeValue: true,
    });
    // The key's value never reaches the log.
    expect(lines.join('\n')).not.toContain('the-key-value');
  } finally {
    await api.close();
  }
});

it('fails when the API answers without the key', async () => {
  const api = await startApi(() => 200);
  try {
    await expect(
      runSmokeTest({
        ...smokeTarget(api.url),
        log: () => undefined,
      }),
    ).rejects.toThrow(new SmokeTestError('expected 403 without the API key, got 200: {"status":200}'));
  } finally {
    await api.close();
  }
});

it('retries a warming-up API, then fails on a persistent error', async () => {
  const api = await startApi(() => 502);
  const sleeps: number[] = [];
  try {
    await expect(
      runSmokeTest({
        ...smokeTarget(api.url),
        attempts: 3,
        sleep: async (ms) => {
          sleeps.push(ms);
        },
        log: () => undefined,
      }),
    ).rejects.toThrow(/expected 2xx with the API key, got 502/);
    expect(sleeps).toEqual([2000, 4000]);
    expect(api.seen).toHaveLength(3);
  } finally {
    await api.close();
  }
});

it('refuses a disabled key before calling the API', async () => {
  apiGateway.on(GetApiKeyCommand).resolves({ id: 'key-id', value: 'v', enabled: false });
  await expect(
    runSmokeTest({
      ...smokeTarget('http://127.0.0.1:9/'),
    }),
  ).rejects.toThrow('API key key-id is disabled');
});

it('retries a 403 on the keyed call for a bounded time (a fresh key propagates), then passes', async () => {
  let keyLive = false;
  const api = await startApi((seen) => (keyLive ? guarded(seen) : 403));
  let now = 0;
  const sleeps: number[] = [];
  try {
    const result = await runSmokeTest({
      ...smokeTarget(api.url),
      clock: () => now,
      sleep: async (ms) => {
        sleeps.push(ms);
        now += ms;
        // API Gateway has the key after some seconds.
        if (now >= 10_000) keyLive = true;
      },
      log: () => undefined,
    });
    expect(result).toEqual({ withKey: 201, withoutKey: 403 });
    expect(sleeps).toEqual([2000, 4000, 8000]);
  } finally {
    await api.close();
  }
});

it('fails once a keyed 403 outlasts the propagation window', async () => {
  const api = await startApi(() => 403);
  let now = 0;
  try {
    await expect(
      runSmokeTest({
        ...smokeTarget(api.url),
        keyPropagationMs: 30_000,
        clock: () => now,
        sleep: async (ms) => {
          now += ms;
        },
        log: () => undefined,
      }),
    ).rejects.toThrow(/expected 2xx with the API key, got 403/);
    // 2 + 4 + 8 + 10 + 10 s: the last try after 30 s, then no more.
    expect(api.seen).toHaveLength(6);
  } finally {
    await api.close();
  }
});

it('calls GET /health when the environment has no document pipeline (the route every feature set has)', async () => {
  const api = await startApi(guarded);
  try {
    await runSmokeTest({
      ...smokeTarget(api.url),
      route: smokeRoute({ documentPipeline: false }),
      log: () => undefined,
    });
    expect(api.seen.map((s) => [s.method, s.url])).toEqual([
      ['GET', '/prod/health'],
      ['GET', '/prod/health'],
    ]);
  } finally {
    await api.close();
  }
});
