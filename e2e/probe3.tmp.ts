import path from 'node:path';
import os from 'node:os';
import { mkdtempSync } from 'node:fs';
import { chromium } from '@playwright/test';
import { startPortal } from './src/portal-process';
import { signInThroughPage } from './src/fixtures';
(async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sep-probe-'));
  const portal = await startPortal({ dataDir: path.join(dir, 'data'), logFile: path.join(dir, 'log'), speedFactor: 40, seedPersistent: true });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });
  const page = await browser.newPage({ baseURL: portal.baseURL });
  await signInThroughPage(page, 'alice');
  await page.goto('/environments/new');
  const form = page.getByTestId('request-form');
  await form.getByLabel('Environment suffix').fill('probe-two');
  await form.getByLabel('Project', { exact: true }).fill('payments');
  await form.getByLabel('Cost center').fill('CC-1042');
  await page.getByTestId('submit-request').click();
  await page.waitForURL(/probe-two/);
  const t0 = Date.now();
  let last = '';
  for (let i = 0; i < 1000; i++) {
    const s = await page.evaluate(() => {
      const d = document.querySelector('[data-testid="environment-detail"]');
      const b = document.querySelector('[data-testid="deployment-progress-bar"]');
      const st = document.querySelector('[data-testid="stream-state"]');
      return `${d?.getAttribute('data-status')} ${b?.getAttribute('aria-valuenow')}/${b?.getAttribute('aria-valuemax')} stream=${st?.getAttribute('data-state')}`;
    });
    if (s !== last) { console.log(((Date.now() - t0) / 1000).toFixed(1), s); last = s; }
    if (s.startsWith('ready')) break;
    await page.waitForTimeout(200);
  }
  const d = await (await fetch(`${portal.baseURL}/api/environments/staging`, { headers: { authorization: 'Bearer x' } })).status;
  console.log(d);
  await browser.close();
  await portal.stop();
  console.log(require('fs').readFileSync(path.join(dir, 'log'), 'utf8').split('\n').filter((l: string) => /probe-two|warn|error/i.test(l)).slice(0, 30).join('\n'));
})();
