// biome-ignore-all lint/correctness/noEmptyPattern: Playwright fixtures declare their dependencies by destructuring, `{}` is none
import { execFile } from 'node:child_process';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Schemas } from '@sep/client';
import { snapshotSource } from '@sep/pipeline/rehearsal';
import { attachLog, expect, test as sharedPortalTest } from '../src/fixtures';
import { horizontalOverflow, useViewport, VIEWPORTS, type ViewportName } from '../src/layout';
import type { ApiErrorBody, PortalApi } from '../src/portal-api';
import { type PortalProcess, REPO_ROOT, startPortal } from '../src/portal-process';
import { runDir, SHARED_SPEED_FACTOR } from '../src/run-settings';
import { READY_TIMEOUT_MS } from '../src/timeouts';

/**
 * A change to the repository that widens a security group, carried to the approval screen by the local
 * pipeline: staging deploys it, the preview diffs prod's deployed template against the one the run
 * synthesized, and approving it takes the typed phrase and a reason, both audited.
 *
 * The change is committed in a copy of the repository (the portal under test synthesizes from it:
 * `PORTAL_REPO_ROOT`), never in the working tree the rest of the suite synthesizes from, so this test
 * runs its own portal. The commit is what starts the runs, as a push does through the source connection.
 */

type PromotionPreview = Schemas['PromotionPreview'];

/** The edit: one more ingress rule on the interface endpoints' group, from a wider range than the VPC. */
const NETWORK_SOURCE = 'infra/src/constructs/network.ts';
const AFTER = `      'HTTPS from the environment VPC',\n    );\n`;
const WIDER_RANGE = '10.0.0.0/8';
const ADDED_RULE = `    this.endpointSecurityGroup.addIngressRule(
      ec2.Peer.ipv4('${WIDER_RANGE}'),
      ec2.Port.tcp(HTTPS_PORT),
      'HTTPS from the corporate network',
    );\n`;

const run = promisify(execFile);

/** git in the copy, as a developer would commit (no global identity needed). */
async function git(repository: string, ...args: string[]): Promise<void> {
  await run('git', ['-c', 'user.name=e2e', '-c', 'user.email=e2e@example.invalid', ...args], {
    cwd: repository,
  });
}

/** The copy becomes a checkout of its own with one commit: the revision prod is first deployed from. */
async function commitCopy(repository: string): Promise<void> {
  await git(repository, 'init', '-q');
  // The copy's node_modules are links back to the repository's, not source.
  await appendFile(path.join(repository, '.git', 'info', 'exclude'), 'node_modules\n');
  await git(repository, 'add', '-A');
  await git(repository, 'commit', '-q', '-m', 'the source prod is first deployed from');
}

async function widenEndpointSecurityGroup(repository: string): Promise<void> {
  const file = path.join(repository, NETWORK_SOURCE);
  const source = await readFile(file, 'utf8');
  expect(
    source.split(AFTER).length - 1,
    `${NETWORK_SOURCE} has the endpoint group's one ingress rule this test adds a second one after`,
  ).toBe(1);
  await writeFile(file, source.replace(AFTER, `${AFTER}${ADDED_RULE}`));
  await git(repository, 'commit', '-q', '-a', '-m', 'endpoints: HTTPS from the corporate network');
}

async function pendingExecution(api: PortalApi, other?: string): Promise<string> {
  let executionId: string | undefined;
  await expect
    .poll(
      async () => {
        executionId = (await api.pipeline()).pendingPromotion?.executionId;
        return executionId !== undefined && executionId !== other;
      },
      {
        message: `a promotion is pending${other === undefined ? '' : ` for an execution other than ${other}`}`,
        timeout: READY_TIMEOUT_MS,
        intervals: [1000],
      },
    )
    .toBe(true);
  return executionId as string;
}

const test = sharedPortalTest.extend<{ ownPortal: { portal: PortalProcess; repository: string } }>({
  ownPortal: async ({}, use, testInfo) => {
    const dir = path.join(runDir(), `promotion-preview-${testInfo.workerIndex}`);
    const repository = path.join(dir, 'repository');
    // What the Source action would hand over: the source without builds, node_modules linked back.
    await snapshotSource({ repoRoot: REPO_ROOT, into: repository });
    await commitCopy(repository);
    const portal = await startPortal({
      dataDir: path.join(dir, 'data'),
      logFile: path.join(dir, 'portal.log'),
      speedFactor: SHARED_SPEED_FACTOR,
      env: { PORTAL_REPO_ROOT: repository },
    });
    try {
      await use({ portal, repository });
    } finally {
      if (testInfo.status !== testInfo.expectedStatus)
        await attachLog(testInfo, 'portal.log', portal.logFile);
      await portal.stop();
    }
  },
  baseURL: async ({ ownPortal }, use) => {
    await use(ownPortal.portal.baseURL);
  },
});

test('a change that widens a security group: the approval screen shows it, approving takes the phrase and a reason, the audit keeps both', async ({
  ownPortal,
  api,
  signedIn,
  shot,
}) => {
  // Three synths through the CDK CLI (the pipeline's first deployment and two runs) and two prod deploys.
  test.setTimeout(1_200_000);
  const alice = await api('alice');
  const carol = await api('carol');

  const first = await test.step('prod is deployed from the unchanged repository', async () => {
    await alice.waitForStatus({ suffix: 'staging', statuses: ['ready'], timeoutMs: READY_TIMEOUT_MS });
    const executionId = await pendingExecution(carol);
    const approved = await carol.decidePromotion({
      executionId,
      decision: 'approve',
      comment: 'first release of prod',
    });
    expect(approved.status(), 'prod has nothing deployed to diff against: nothing is flagged').toBe(200);
    await carol.waitForStatus({ suffix: 'prod', statuses: ['ready'], timeoutMs: READY_TIMEOUT_MS });
    return executionId;
  });

  const second = await test.step('the commit reaches staging; its run waits at PromoteToProd', async () => {
    // The commit starts the release pipeline (the portal's local source connection), which synthesizes it.
    await widenEndpointSecurityGroup(ownPortal.repository);
    return pendingExecution(carol, first);
  });

  await test.step('the approval screen shows the widening, at both widths and in both colour schemes', async () => {
    const page = await signedIn('carol');
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      for (const viewport of Object.keys(VIEWPORTS) as ViewportName[]) {
        await useViewport(page, viewport);
        await page.goto('/pipeline');
        await expect(page.getByTestId('pending-promotion')).toBeVisible();
        const panel = page.getByTestId('promotion-preview');
        await expect(panel).toHaveAttribute('data-flagged', 'true');
        await expect(page.getByTestId('preview-flagged')).toContainText('security widened');
        const rules = panel.getByTestId('preview-security-groups');
        await expect(rules).toContainText('ingress');
        await expect(rules).toContainText(WIDER_RANGE);
        await expect(rules).toContainText('TCP 443');
        expect(await horizontalOverflow(page), `${viewport} ${colorScheme}`).toEqual([]);
        await rules.scrollIntoViewIfNeeded();
        await shot(page, `promotion-preview-${viewport}-${colorScheme}`);
        // The README's picture of the preview: a baseline, so it is always the current panel.
        if (viewport === 'desktop' && colorScheme === 'light') {
          await expect(panel).toHaveScreenshot('promotion-preview-desktop-light.png');
        }
      }
    }
  });

  await test.step('the API refuses the approval without the phrase and a reason, and of another execution', async () => {
    const bare = await carol.decidePromotion({
      executionId: second,
      decision: 'approve',
      comment: 'looks fine',
    });
    expect(bare.status()).toBe(400);
    const body = (await bare.json()) as ApiErrorBody;
    expect((body.error.fields ?? []).map((field) => field.path).sort()).toEqual(['confirmation', 'reason']);
    const stale = await carol.decidePromotion({
      executionId: first,
      decision: 'approve',
      comment: 'the old one',
    });
    expect(stale.status()).toBe(409);
    expect((await carol.pipeline()).pendingPromotion?.executionId, 'still waiting').toBe(second);
  });

  const reason = 'corporate network needs the endpoints for the batch migration, change CHG-1234';
  const phrase = await test.step('the approver types the phrase and a reason, and approves', async () => {
    const page = await signedIn('carol');
    await page.goto('/pipeline');
    const preview: PromotionPreview = await (
      await page.request.get('/api/pipeline/promotion/preview')
    ).json();
    expect(preview.executionId, 'the preview is of the waiting execution').toBe(second);
    await page.getByTestId('approve-promotion').click();
    const dialog = page.getByRole('dialog', { name: 'Deploy this execution to prod?' });
    await expect(dialog.getByTestId('promotion-execution')).toHaveText(second);
    await expect(dialog.getByTestId('approve-dialog-flags')).toContainText('security widened');
    const confirm = dialog.getByTestId('approve-dialog-confirm');
    await expect(confirm).toBeDisabled();
    await dialog.getByTestId('promotion-reason').fill(reason);
    await dialog.getByLabel(/Type .* to confirm/).fill(preview.confirmationPhrase);
    await expect(confirm).toBeEnabled();
    await shot(page, 'promotion-preview-confirm');
    await confirm.click();
    await expect(dialog).toBeHidden();
    await expect(page.getByTestId('promotion-outcome')).toContainText('Approved');
    return preview.confirmationPhrase;
  });

  await test.step('the audit log keeps the approval with the flags, the phrase and the reason', async () => {
    const approvals = (await carol.audit()).filter(
      (entry) =>
        entry.action === 'promotion.approved' &&
        entry.outcome === 'success' &&
        entry.details?.executionId === second,
    );
    expect(approvals).toHaveLength(1);
    const [approval] = approvals;
    expect(approval?.actor).toBe('carol');
    expect(approval?.details).toMatchObject({ preview: 'flagged', confirmation: phrase, reason });
    expect(String(approval?.details?.flags)).toContain('security widened');
  });

  await test.step('the approved execution deploys prod', async () => {
    await expect
      .poll(
        async () => {
          const stage = (await carol.pipeline()).stages.find((candidate) => candidate.name === 'prod');
          return `${stage?.executionId === second ? 'approved execution' : 'earlier execution'} ${stage?.status}`;
        },
        {
          message: 'the prod stage runs the approved execution',
          timeout: READY_TIMEOUT_MS,
          intervals: [1000],
        },
      )
      .toBe('approved execution Succeeded');
    // The environment's status follows the pipeline on the portal's next poll.
    await carol.waitForStatus({ suffix: 'prod', statuses: ['ready'], timeoutMs: READY_TIMEOUT_MS });
  });
});
