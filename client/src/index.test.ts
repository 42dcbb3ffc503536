import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  createSepClient,
  followEnvironment,
  parseStreamBlock,
  SepApiError,
  type StreamMessage,
  unwrap,
} from '.';

const run = promisify(execFile);

describe('the generated types', () => {
  it('are current with openapi.json (regenerate with `npm run build -w @sep/client`)', async () => {
    const cli = path.join(path.dirname(require.resolve('openapi-typescript/package.json')), 'bin', 'cli.js');
    const root = path.join(__dirname, '..');
    await expect(
      run(
        process.execPath,
        [
          cli,
          'openapi.json',
          '--output',
          'generated/openapi.d.ts',
          '--default-non-nullable',
          'false',
          '--check',
        ],
        { cwd: root },
      ),
    ).resolves.toBeDefined();
  }, 60_000);
});

describe('the client against a real HTTP server', () => {
  let server: Server;
  let baseUrl: string;
  const seen: { authorization?: string }[] = [];
  beforeAll(async () => {
    server = createServer((request, response) => {
      seen.push({ authorization: request.headers.authorization });
      if (request.url === '/api/environments/nope') {
        response.writeHead(404, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: { code: 'not_found', message: 'no environment nope' } }));
      } else if (request.url === '/api/environments/pr-1/events') {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        response.write(': heartbeat\n\nevent: events\ndata: {"type":"events","events":[]}\n\n');
        response.end('event: error\r\ndata: {"type":"error","message":"throttled","retryInMs":500}\r\n\r\n');
      } else {
        response.writeHead(502, { 'content-type': 'text/plain' });
        response.end('bad gateway');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('sends the bearer token and turns an ApiError body into a SepApiError with its code', async () => {
    const client = createSepClient({ baseUrl, token: 't0k' });
    const call = unwrap(client.GET('/api/environments/{suffix}', { params: { path: { suffix: 'nope' } } }));
    await expect(call).rejects.toMatchObject({
      status: 404,
      code: 'not_found',
      message: 'no environment nope',
    });
    expect(seen.at(-1)?.authorization).toBe('Bearer t0k');
  });

  it('reports a non-API error by its status', async () => {
    const call = unwrap(createSepClient({ baseUrl }).GET('/api/pipeline'));
    await expect(call).rejects.toMatchObject({ status: 502, code: 'internal' });
  });

  it('names the URL when nothing answers', async () => {
    const call = unwrap(createSepClient({ baseUrl: 'http://127.0.0.1:9' }).GET('/api/pipeline'));
    await expect(call).rejects.toBeInstanceOf(SepApiError);
    await expect(call).rejects.toMatchObject({
      code: 'network',
      message: expect.stringContaining('127.0.0.1:9'),
    });
  });

  it('follows the event stream, skipping comments and reading CRLF blocks', async () => {
    const messages: StreamMessage[] = [];
    await followEnvironment(createSepClient({ baseUrl }), 'pr-1', (message) => messages.push(message));
    expect(messages.map((message) => message.type)).toEqual(['events', 'error']);
  });
});

describe('parseStreamBlock', () => {
  it('reads the data lines of one block, and nothing from a comment', () => {
    expect(parseStreamBlock('event: error\ndata: {"type":"error","message":"x","retryInMs":1}')).toEqual({
      type: 'error',
      message: 'x',
      retryInMs: 1,
    });
    expect(parseStreamBlock(': heartbeat')).toBeUndefined();
  });
});
