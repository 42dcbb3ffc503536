import { execFile } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { envName, outputsAsEnv } from './format';

/** `sep` as CI runs it: the bin in a child process, with only the environment given here. */
function sep(args: readonly string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [path.join(__dirname, '..', 'bin', 'sep.js'), ...args],
      { env: { PATH: process.env.PATH ?? '', ...env } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });
}

const json = (response: ServerResponse, status: number, body: unknown) => {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
};

describe('sep against an HTTP server that records what it is asked', () => {
  let server: Server;
  let url: string;
  const requests: string[] = [];
  const promotionBodies: unknown[] = [];
  const answer = async (request: IncomingMessage, response: ServerResponse) => {
    requests.push(`${request.method} ${request.url}`);
    if (request.url === '/api/environments/pr-1/outputs') {
      return json(response, 200, { ApiUrl: 'https://api.example.test/', DocumentBucketName: 'docs-pr-1' });
    }
    if (
      request.method === 'GET' &&
      (request.url === '/api/environments' || request.url === '/api/environments?cursor=b')
    ) {
      const last = request.url !== '/api/environments';
      const row = (suffix: string) => ({
        environmentSuffix: suffix,
        kind: 'ephemeral',
        status: 'ready',
        owner: 'alice',
      });
      return json(response, 200, {
        mode: 'local',
        environments: last ? [row('pr-2')] : [row('pr-1')],
        total: 2,
        summary: { active: 2, destroyed: 0, monthlyCostUsd: 10 },
        ...(last ? {} : { nextCursor: 'b' }),
      });
    }
    if (request.url === '/api/pipeline/promotion') {
      let text = '';
      for await (const chunk of request) text += String(chunk);
      promotionBodies.push(JSON.parse(text));
      return json(response, 403, {
        error: { code: 'forbidden', message: 'only approvers and admins may decide' },
      });
    }
    if (request.url === '/api/pipeline') {
      return json(response, 200, { pendingPromotion: { executionId: 'exec-1' } });
    }
    if (request.method === 'POST' && request.url === '/api/environments') {
      return json(response, 400, {
        error: {
          code: 'validation_failed',
          message: 'the request has invalid fields',
          fields: [{ path: 'project', message: 'project must be at most 256 characters' }],
        },
      });
    }
    return json(response, 404, { error: { code: 'not_found', message: 'no such thing' } });
  };
  beforeAll(async () => {
    server = createServer(answer);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));
  beforeEach(() => {
    requests.length = 0;
  });

  it.each([
    ['an unknown flag', 't', ['env', 'list', '--colour'], /unknown option '--colour'/],
    ['a malformed suffix', 't', ['env', 'get', 'PR_123'], /PR_123/],
    ['a missing token', '', ['env', 'list'], /no token: set SEP_TOKEN/],
    [
      'an unknown feature',
      't',
      ['env', 'create', '--suffix', 'pr-1', '--feature', 'gpu'],
      /unknown feature "gpu"/,
    ],
    ['a TTL that is not a number', 't', ['env', 'create', '--suffix', 'pr-1', '--ttl', 'soon'], /--ttl/],
  ])(
    'refuses %s with one line and exit 2, before any request',
    async (_, token, args, message) => {
      const result = await sep(args, {
        SEP_URL: url,
        SEP_TOKEN: token,
        SEP_PROJECT: 'p',
        SEP_COST_CENTER: 'c',
      });
      expect(result.code).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(message);
      expect(requests).toEqual([]);
    },
    30_000,
  );

  it('names the URL it tried when nothing answers: one line, exit 1, no stack trace', async () => {
    const result = await sep(['env', 'list'], { SEP_URL: 'http://127.0.0.1:9', SEP_TOKEN: 't' });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('sep: could not reach the portal at http://127.0.0.1:9\n');
  }, 30_000);

  it('exits 3 when the portal refuses, with its words', async () => {
    const result = await sep(['promote', 'approve', '--url', url, '--token', 't']);
    expect(result.code).toBe(3);
    expect(result.stderr).toBe('sep: refused: only approvers and admins may decide\n');
  }, 30_000);

  it("passes a flagged approval's confirmation phrase and reason through", async () => {
    promotionBodies.length = 0;
    await sep([
      'promote',
      'approve',
      '--execution',
      'exec-1',
      '--confirm',
      'promote exec-1',
      '--reason',
      'public API launch, CHG-42',
      '--url',
      url,
      '--token',
      't',
    ]);
    expect(promotionBodies).toEqual([
      {
        executionId: 'exec-1',
        decision: 'approve',
        comment: '',
        confirmation: 'promote exec-1',
        reason: 'public API launch, CHG-42',
      },
    ]);
  }, 30_000);

  it('shows field errors from the API by field name, exit 2', async () => {
    const result = await sep(['env', 'create', '--suffix', 'pr-1', '--project', 'p', '--cost-center', 'c'], {
      SEP_URL: url,
      SEP_TOKEN: 't',
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('project: project must be at most 256 characters');
  }, 30_000);

  it('lists every page of environments', async () => {
    const result = await sep(['env', 'list'], { SEP_URL: url, SEP_TOKEN: 't' });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout.split('\n').filter((line) => line.startsWith('pr-'))).toHaveLength(2);
    expect(requests).toEqual(['GET /api/environments', 'GET /api/environments?cursor=b']);
  }, 30_000);

  it('prints outputs as KEY=value lines for $GITHUB_ENV', async () => {
    const result = await sep(['env', 'outputs', 'pr-1', '--format', 'env'], { SEP_URL: url, SEP_TOKEN: 't' });
    expect(result).toMatchObject({
      code: 0,
      stdout: 'API_URL=https://api.example.test/\nDOCUMENT_BUCKET_NAME=docs-pr-1\n',
    });
    expect(requests).toEqual(['GET /api/environments/pr-1/outputs']);
  }, 30_000);
});

describe('output names', () => {
  it('turns CloudFormation output keys into environment variable names', () => {
    expect(envName('ApiUrl')).toBe('API_URL');
    expect(envName('KMSKeyArn')).toBe('KMS_KEY_ARN');
    expect(outputsAsEnv({ A: '1', bB: '2' })).toBe('A=1\nB_B=2');
  });
});
