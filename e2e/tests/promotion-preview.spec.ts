import type { Page } from '@playwright/test';
import { computePromotionPreview } from '../../portal/src/server/domain/promotion-preview';
import { securityGroupTemplate } from '../../portal/src/server/domain/promotion-preview.test-support';
import { expect, test } from '../src/fixtures';
import { horizontalOverflow, useViewport, VIEWPORTS, type ViewportName } from '../src/layout';

/**
 * The approval card with a flagged preview, at both widths and in both colour schemes. Local mode cannot
 * make a staging change widen prod's security group without editing the repository it synthesizes, so
 * this page is fed, through the browser's network layer, the preview the real diff computes for such a
 * change (`computePromotionPreview`, the server's own code): what is judged is the screen. That the API
 * refuses a flagged approval without the phrase and the reason is proved in `promotions.test.ts`.
 */
const EXECUTION_ID = 'a1b2c3d4-0000-4000-8000-000000000001';
const sg = (cidrs: string[]) => ({
  Resources: {
    ...securityGroupTemplate(cidrs, 'ApiSecurityGroup').Resources,
    DocumentTable: {
      Type: 'AWS::DynamoDB::Table',
      Properties: { KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }] },
    },
  },
});
const preview = computePromotionPreview({
  executionId: EXECUTION_ID,
  stacks: [
    {
      stackName: 'sep-prod-environment',
      environmentSuffix: 'prod',
      deployed: { template: sg(['10.0.0.0/16']) },
      next: {
        template: {
          Resources: {
            ...sg(['10.0.0.0/16', '0.0.0.0/0']).Resources,
            DocumentTable: {
              Type: 'AWS::DynamoDB::Table',
              Properties: { KeySchema: [{ AttributeName: 'documentId', KeyType: 'HASH' }] },
            },
          },
        },
      },
    },
  ],
});

const pipelineView = {
  pipelineName: 'sep-delivery-release (local)',
  mode: 'local',
  simulated: true,
  stages: [],
  canDecide: true,
  pendingPromotion: {
    stageName: 'prod',
    actionName: 'PromoteToProd',
    requestedAt: '2026-12-01T10:00:00.000Z',
    executionId: EXECUTION_ID,
    environments: ['prod'],
  },
};

async function feed(page: Page) {
  await page.route('**/api/pipeline', (route) => route.fulfill({ json: pipelineView }));
  await page.route('**/api/pipeline/promotion/preview', (route) => route.fulfill({ json: preview }));
}

test('a flagged preview: the widening and the replaced table shown, the approval asks for the phrase and a reason', async ({
  signedIn,
  shot,
}) => {
  expect(preview.flagged, 'the real diff flags the change').toBe(true);
  const page = await signedIn('carol');
  await feed(page);
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    for (const viewport of Object.keys(VIEWPORTS) as ViewportName[]) {
      await useViewport(page, viewport);
      await page.goto('/pipeline');
      const panel = page.getByTestId('promotion-preview');
      await expect(panel).toHaveAttribute('data-flagged', 'true');
      await expect(panel.getByTestId('preview-security-groups')).toContainText('Everyone (IPv4)');
      await expect(panel.getByTestId('preview-replaced-removed')).toContainText('DocumentTable');
      await expect(page.getByTestId('preview-flagged')).toContainText('security widened');
      expect(await horizontalOverflow(page), `${viewport} ${colorScheme}`).toEqual([]);
      await panel.getByTestId('preview-security-groups').scrollIntoViewIfNeeded();
      await shot(page, `promotion-preview-${viewport}-${colorScheme}`);
      // The README's picture of the preview: a baseline, so it is always the current panel.
      if (viewport === 'desktop' && colorScheme === 'light') {
        await expect(panel).toHaveScreenshot('promotion-preview-desktop-light.png');
      }
    }
  }
  await page.getByTestId('approve-promotion').click();
  const dialog = page.getByRole('dialog', { name: 'Deploy this execution to prod?' });
  await expect(dialog.getByTestId('approve-dialog-flags')).toContainText('will be replaced');
  await expect(dialog.getByTestId('promotion-reason')).toBeVisible();
  const confirm = dialog.getByTestId('approve-dialog-confirm');
  await expect(confirm).toBeDisabled();
  await dialog.getByLabel(/Type .* to confirm/).fill(preview.confirmationPhrase);
  await expect(confirm).toBeEnabled();
  await shot(page, 'promotion-preview-confirm');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
});
