import path from 'node:path';
import { type ProgressSample, phaseOrder, watchDeployment } from '../src/deployment-watch';
import { attachLog, expect, signInThroughPage, test } from '../src/fixtures';
import { ephemeralRequest, PortalApi, uniqueSuffix } from '../src/portal-api';
import { type PortalProcess, startPortal } from '../src/portal-process';
import { runDir } from '../src/run-settings';
import { READY_TIMEOUT_MS } from '../src/timeouts';

/**
 * Slow enough that the deployment is still running after the portal has been
 * killed and has booted again (a few seconds), fast enough for the suite.
 */
const RESTART_SPEED_FACTOR = 4;

test('flow 5a — the portal crashes and restarts mid-deployment: the environment finishes and nothing is lost', async ({
  browser,
  shot,
}, testInfo) => {
  const dir = path.join(runDir(), `restart-${testInfo.workerIndex}`);
  const options = {
    dataDir: path.join(dir, 'data'),
    logFile: path.join(dir, 'portal.log'),
    speedFactor: RESTART_SPEED_FACTOR,
    // Only the environment under test: no staging synth competing for the CPU.
    seedPersistent: false,
  };
  let portal: PortalProcess | undefined = await startPortal(options);
  const context = await browser.newContext({ baseURL: portal.baseURL });
  try {
    const suffix = uniqueSuffix('phoenix');
    let alice = await PortalApi.as({ baseURL: portal.baseURL, user: 'alice' });
    const created = await alice.createEnvironment(ephemeralRequest(suffix, 'restart-flow'));
    expect(created.status()).toBe(201);

    const page = await context.newPage();
    await signInThroughPage(page, 'alice');
    await page.goto(`/environments/${suffix}`);
    const before = await watchDeployment(page, {
      until: (s) => (s.phase === 'deploying' && s.done > 0) || s.status === 'failed',
      timeoutMs: READY_TIMEOUT_MS,
    });
    const atCrash = before.at(-1) as ProgressSample;
    expect(atCrash.phase, `states seen: ${JSON.stringify(before)}`).toBe('deploying');
    const recordBefore = await alice.environment(suffix);
    expect(recordBefore.status).toBe('deploying');
    expect(recordBefore.events.length).toBeGreaterThan(0);
    await shot(page, 'before-crash');
    await alice.dispose();

    // A crash, not a polite shutdown: SIGKILL to the portal's whole process group.
    const { port } = portal;
    await portal.crash();
    portal = undefined;
    // Same port, so the open page and its session cookie keep working.
    portal = await startPortal({ ...options, port });
    alice = await PortalApi.as({ baseURL: portal.baseURL, user: 'alice' });

    const recordAfter = await alice.environment(suffix);
    expect(recordAfter.createdAt).toBe(recordBefore.createdAt);
    expect(recordAfter.requestedBy).toBe('alice');
    expect(recordAfter.status, 'still deploying right after the restart').toBe('deploying');
    expect(recordAfter.progress.resourcesDone).toBeGreaterThanOrEqual(recordBefore.progress.resourcesDone);
    expect(recordAfter.progress.resourcesDone).toBeLessThan(recordAfter.progress.resourcesTotal);
    expect(recordAfter.progress.resourcesTotal).toBe(recordBefore.progress.resourcesTotal);
    // The API keeps the newest 200 events and a burst of resources can start during the restart, so compare
    // inside the window both answers cover: every event seen before the crash that is not older than the
    // oldest one kept now is still there, unchanged.
    const oldestKept = recordAfter.events[0]?.timestamp ?? '';
    const eventsAfter = new Map(recordAfter.events.map((event) => [event.eventId, event]));
    const stillInWindow = recordBefore.events.filter((event) => event.timestamp >= oldestKept);
    expect(
      stillInWindow.filter(
        (event) => JSON.stringify(eventsAfter.get(event.eventId)) !== JSON.stringify(event),
      ),
      'events seen before the crash are kept, unchanged',
    ).toEqual([]);

    // The same browser session carries on (the session secret lives in the data folder).
    await page.reload();
    const after = await watchDeployment(page, {
      until: (s) => s.status === 'ready' || s.status === 'failed',
      timeoutMs: READY_TIMEOUT_MS,
    });
    expect(after.at(-1)?.status, `states seen: ${JSON.stringify(after)}`).toBe('ready');
    expect(phaseOrder(after)[0], 'resumed in the deploying phase, not from scratch').toBe('deploying');
    expect(after[0]?.done ?? 0).toBeGreaterThanOrEqual(atCrash.done);
    await shot(page, 'ready-after-restart');
    const final = await alice.environment(suffix);
    expect(final.outputs.length).toBeGreaterThan(0);
    const audit = await alice.audit();
    expect(
      audit.filter((entry) => entry.action === 'environment.requested' && entry.target === suffix),
      'the request made before the crash is still audited',
    ).toHaveLength(1);
    await alice.dispose();
  } finally {
    await context.close();
    if (testInfo.status !== testInfo.expectedStatus)
      await attachLog(testInfo, 'restart-portal.log', options.logFile);
    await portal?.stop();
  }
});
