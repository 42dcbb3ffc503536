// biome-ignore-all lint/correctness/noEmptyPattern: Playwright hooks declare their fixtures by destructuring, `{}` is none
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { attachLog, expect, test } from '../src/fixtures';
import { type ApiErrorBody, ephemeralRequest, PortalApi, uniqueSuffix } from '../src/portal-api';
import { type PortalProcess, type StartPortalOptions, startPortal } from '../src/portal-process';
import { runDir } from '../src/run-settings';
import { sessionCookieValue } from '../src/session-token';
import { READY_TIMEOUT_MS } from '../src/timeouts';

// Limits, roles and a corrupt data file need a portal of their own: low limits (the shared portal's are
// raised for the flows), and a restart. No staging or prod seeded: nothing synthesizes but what the
// tests ask for.

const CREATES_PER_MINUTE = 2;
const STREAMS_PER_USER = 2;

let options: StartPortalOptions;
let portal: PortalProcess | undefined;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async ({}, testInfo) => {
  const dir = path.join(runDir(), `hardening-${testInfo.workerIndex}`);
  options = {
    dataDir: path.join(dir, 'data'),
    logFile: path.join(dir, 'portal.log'),
    speedFactor: 25,
    seedPersistent: false,
    env: {
      PORTAL_LIMIT_CREATES_PER_MINUTE: String(CREATES_PER_MINUTE),
      PORTAL_LIMIT_STREAMS_PER_USER: String(STREAMS_PER_USER),
    },
  };
  portal = await startPortal(options);
});

test.afterAll(async () => {
  await portal?.stop();
});

test.afterEach(async ({}, testInfo) => {
  if (testInfo.status !== testInfo.expectedStatus) await attachLog(testInfo, 'portal.log', options.logFile);
});

function ownPortal(): PortalProcess {
  if (portal === undefined) throw new Error('the portal of this spec is not running');
  return portal;
}

async function bearer(user: string): Promise<string> {
  const response = await fetch(`${ownPortal().baseURL}/api/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: user }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { token: string }).token;
}

test('one user over the create limit gets 429 with Retry-After; another user still creates', async () => {
  const alice = await PortalApi.as({ baseURL: ownPortal().baseURL, user: 'alice' });
  const bob = await PortalApi.as({ baseURL: ownPortal().baseURL, user: 'bob' });
  try {
    for (let i = 0; i < CREATES_PER_MINUTE; i += 1) {
      const created = await alice.createEnvironment(ephemeralRequest(uniqueSuffix('limit')));
      expect(created.status()).toBe(201);
    }
    const suffix = uniqueSuffix('limit');
    const refused = await alice.createEnvironment(ephemeralRequest(suffix));
    expect(refused.status()).toBe(429);
    expect(((await refused.json()) as ApiErrorBody).error.code).toBe('rate_limited');
    const retryAfter = Number(refused.headers()['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect((await alice.getEnvironmentResponse(suffix)).status(), 'nothing registered').toBe(404);
    expect((await bob.createEnvironment(ephemeralRequest(uniqueSuffix('limit')))).status()).toBe(201);
  } finally {
    await alice.dispose();
    await bob.dispose();
  }
});

test('one user over the event-stream limit gets 429 with Retry-After until a stream closes', async () => {
  const alice = await PortalApi.as({ baseURL: ownPortal().baseURL, user: 'alice' });
  const [mine] = (await alice.listEnvironments()).filter((e) => e.requestedBy === 'alice');
  await alice.dispose();
  expect(mine, 'an environment of alice from the test before').toBeDefined();
  const token = await bearer('alice');
  const streams: AbortController[] = [];
  const open = async () => {
    const controller = new AbortController();
    const response = await fetch(
      `${ownPortal().baseURL}/api/environments/${mine?.environmentSuffix}/events`,
      { headers: { authorization: `Bearer ${token}` }, signal: controller.signal },
    );
    // An open stream is kept (and aborted at the end); a refusal's body is read by the caller.
    if (response.status === 200) streams.push(controller);
    return response;
  };
  try {
    for (let i = 0; i < STREAMS_PER_USER; i += 1) expect((await open()).status).toBe(200);
    const refused = await open();
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('30');
    expect(((await refused.json()) as ApiErrorBody).error.code).toBe('rate_limited');
    // Another user has streams of their own.
    const carol = await fetch(`${ownPortal().baseURL}/api/environments/${mine?.environmentSuffix}/events`, {
      headers: { authorization: `Bearer ${await bearer('carol')}` },
      signal: AbortSignal.timeout(10_000),
    });
    expect(carol.status).toBe(200);
    await carol.body?.cancel();
    // Closing one frees its place.
    streams.shift()?.abort();
    await expect
      .poll(
        async () => {
          const response = await open();
          if (response.status !== 200) await response.body?.cancel();
          return response.status;
        },
        { timeout: 15_000 },
      )
      .toBe(200);
  } finally {
    for (const stream of streams) stream.abort();
  }
});

test('a signed-in user with no portal role gets 403 on everything but sign-out', async () => {
  const { baseURL } = ownPortal();
  const cookieOf = (roles: readonly string[]) =>
    `sep_session=${sessionCookieValue({ dataDir: options.dataDir, user: { id: 'mallory@example.com', name: 'Mallory', roles } })}`;
  const outsider = cookieOf([]);
  const origin = new URL(baseURL).origin;
  for (const [method, route] of [
    ['GET', '/api/environments'],
    ['GET', '/api/pipeline'],
    ['GET', '/api/audit'],
    ['GET', '/api/auth/session'],
    ['POST', '/api/environments'],
  ] as const) {
    const response = await fetch(`${baseURL}${route}`, {
      method,
      headers: { cookie: outsider, origin, 'content-type': 'application/json' },
      ...(method === 'POST' ? { body: JSON.stringify(ephemeralRequest(uniqueSuffix('norole'))) } : {}),
    });
    expect(response.status, `${method} ${route}`).toBe(403);
    expect(((await response.json()) as ApiErrorBody).error.message).toMatch(/no portal role/);
  }
  // The same session with a role is served: the 403 is the role rule, not a bad cookie.
  const member = await fetch(`${baseURL}/api/environments`, { headers: { cookie: cookieOf(['engineer']) } });
  expect(member.status).toBe(200);
  const signOut = await fetch(`${baseURL}/api/auth/sign-out`, {
    method: 'POST',
    headers: { cookie: outsider, origin },
  });
  expect(signOut.status).toBe(204);
});

test('a corrupt pipeline state file is set aside at restart and the pipeline answers from its last-good copy', async () => {
  test.setTimeout(READY_TIMEOUT_MS + 120_000);
  const pipelineDir = path.join(options.dataDir, 'platform', 'pipeline');
  // Deployed once the pipeline's first synth (started by the creates above) is done.
  await expect
    .poll(() => existsSync(path.join(pipelineDir, 'pipelines.json')), {
      message: 'the local pipeline stack is deployed',
      timeout: READY_TIMEOUT_MS,
      intervals: [1000],
    })
    .toBe(true);
  const alice = await PortalApi.as({ baseURL: ownPortal().baseURL, user: 'alice' });
  const before = await alice.pipeline();
  await alice.dispose();
  await ownPortal().stop();
  portal = undefined;

  const stateFiles = readdirSync(pipelineDir)
    .map((name) => path.join(pipelineDir, name, 'state.json'))
    .filter((file) => existsSync(file));
  expect(stateFiles.length).toBeGreaterThan(0);
  for (const file of stateFiles) {
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.slice(0, Math.floor(text.length / 2)));
  }

  portal = await startPortal(options);
  const afterRestart = await PortalApi.as({ baseURL: portal.baseURL, user: 'alice' });
  try {
    const view = await afterRestart.pipeline();
    expect(view.pipelineName).toBe(before.pipelineName);
    expect(view.stages.map((stage) => stage.name)).toEqual(before.stages.map((stage) => stage.name));
    expect((await afterRestart.listEnvironments()).length).toBeGreaterThan(0);
  } finally {
    await afterRestart.dispose();
  }
  for (const file of stateFiles) {
    const kept = readdirSync(path.dirname(file)).filter((name) => name.startsWith('state.json.corrupt-'));
    expect(kept, `${file} kept aside`).toHaveLength(1);
  }
  const log = readFileSync(options.logFile, 'utf8');
  expect(log.match(/unusable state file set aside/g)?.length).toBe(stateFiles.length);
});

test('separation of duties: the admin who requested the change waiting for prod cannot approve it; another approver decides', async () => {
  test.setTimeout(READY_TIMEOUT_MS * 3);
  const { baseURL } = ownPortal();
  const dave = await PortalApi.as({ baseURL, user: 'dave' });
  const carol = await PortalApi.as({ baseURL, user: 'carol' });
  try {
    // Writes made while the environments pipeline deploys wait for it and then run as the portal's, not
    // as their requester's: the earlier tests' environments are deployed first.
    await expect
      .poll(async () => (await dave.pipeline()).environmentsPipeline?.currentExecution?.status, {
        message: 'the environments pipeline is idle',
        timeout: READY_TIMEOUT_MS,
        intervals: [2000],
      })
      .not.toBe('InProgress');
    // A release with a staging and a prod environment of its own, both requested by the admin.
    const persistent = { project: 'e2e-tests', costCenter: 'CC-E2E', alertEmails: ['ops@example.com'] };
    for (const [prefix, kind] of [
      ['qa', 'staging'],
      ['live', 'prod'],
    ] as const) {
      const created = await dave.createEnvironment({
        ...persistent,
        environmentSuffix: uniqueSuffix(prefix),
        kind,
      });
      expect(created.status(), `dave requests ${kind}`).toBe(201);
    }
    await expect
      .poll(async () => (await dave.pipeline()).pendingPromotion?.requestedBy, {
        message: "the release run restarted by dave's change waits for the promotion",
        timeout: READY_TIMEOUT_MS * 2 - 30_000,
        intervals: [2000],
      })
      .toBe('dave');
    const view = await dave.pipeline();
    expect(view.canDecide).toBe(false);
    const executionId = view.pendingPromotion?.executionId;
    const refused = await dave.decidePromotion({ executionId, decision: 'approve', comment: 'mine' });
    expect(refused.status()).toBe(403);
    expect(((await refused.json()) as ApiErrorBody).error.message).toMatch(/you requested the change/);
    expect((await dave.pipeline()).pendingPromotion?.executionId, 'still pending').toBe(executionId);
    const denied = (await dave.audit()).find(
      (entry) => entry.action === 'promotion.approved' && entry.actor === 'dave',
    );
    expect(denied?.outcome).toBe('denied');

    expect((await carol.pipeline()).canDecide).toBe(true);
    // Rejected, not approved: the point is who may decide, and a rejection deploys nothing more.
    const decided = await carol.decidePromotion({ executionId, decision: 'reject', comment: 'not today' });
    expect(decided.status()).toBe(200);
  } finally {
    await dave.dispose();
    await carol.dispose();
  }
});
