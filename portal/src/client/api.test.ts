import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SepApiError } from '@sep/client/api-error';
import { z } from 'zod';
import { getJson, sendJson } from './api';

// A real HTTP server on loopback answering what the portal (or something in front of it) might.
const answers: Record<string, { status: number; body?: string }> = {
  '/detail': { status: 200, body: JSON.stringify({ environmentSuffix: 'pr-1', status: 'ready' }) },
  '/changed-shape': { status: 200, body: JSON.stringify({ environmentSuffix: 1 }) },
  '/proxy-page': { status: 200, body: '<html>sign in to the corporate proxy</html>' },
  '/refused': {
    status: 400,
    body: JSON.stringify({
      error: {
        code: 'validation',
        message: 'The request has invalid fields',
        fields: [{ field: 'environmentSuffix', message: 'must be lowercase' }],
      },
    }),
  },
  '/signed-out': { status: 204 },
};

let server: Server;
let origin: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    const answer = answers[request.url ?? ''] ?? { status: 404 };
    response.writeHead(answer.status, { 'content-type': 'application/json' });
    response.end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const detailSchema = z.object({ environmentSuffix: z.string(), status: z.enum(['ready', 'failed']) });

describe('the browser API client checks every answer against its published schema', () => {
  it('resolves to the body when it has the shape the schema describes', async () => {
    await expect(getJson(`${origin}/detail`, detailSchema)).resolves.toEqual({
      environmentSuffix: 'pr-1',
      status: 'ready',
    });
  });

  it('refuses a success answer of another shape, or no JSON at all, instead of handing it to the page', async () => {
    for (const path of ['/changed-shape', '/proxy-page']) {
      const refused = getJson(`${origin}${path}`, detailSchema);
      await expect(refused).rejects.toBeInstanceOf(SepApiError);
      await expect(refused).rejects.toMatchObject({ status: 200, code: 'internal' });
    }
  });

  it("passes the API's error code, message and field errors on", async () => {
    await expect(
      sendJson({ method: 'POST', url: `${origin}/refused`, body: {}, schema: detailSchema }),
    ).rejects.toMatchObject({
      status: 400,
      code: 'validation',
      fields: [{ field: 'environmentSuffix', message: 'must be lowercase' }],
    });
  });

  it('reads no body where the caller expects none', async () => {
    await expect(sendJson({ method: 'POST', url: `${origin}/signed-out` })).resolves.toBeUndefined();
  });
});
