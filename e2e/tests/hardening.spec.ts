import { expect, test } from '../src/fixtures';

test('a rebound DNS name gets no token: the Host allow-list comes from configuration', async ({
  request,
  baseURL,
}) => {
  const portal = new URL(baseURL ?? '');
  // An attacker's page on a name that resolves to the portal sends its own Host and Origin.
  const rebound = await request.post('/api/auth/token', {
    headers: { host: `attacker.example:${portal.port}`, origin: `http://attacker.example:${portal.port}` },
    data: { username: 'dave' },
  });
  expect(rebound.status()).toBe(421);
  expect(((await rebound.json()) as { token?: string }).token).toBeUndefined();
  const own = await request.post('/api/auth/token', { data: { username: 'dave' } });
  expect(own.status()).toBe(200);
});

test('sign-out ends the session on the server, and only the portal itself may sign a user out', async ({
  playwright,
  baseURL,
}) => {
  const origin = new URL(baseURL ?? '').origin;
  const browser = await playwright.request.newContext({ baseURL: baseURL ?? '' });
  try {
    const signIn = await browser.post('/api/auth/sign-in', {
      headers: { origin },
      data: { username: 'alice' },
    });
    expect(signIn.status()).toBe(200);
    const cookie = (signIn.headers()['set-cookie'] ?? '').split(';')[0] ?? '';
    expect((await browser.get('/api/auth/session')).status()).toBe(200);

    const crossSite = await browser.post('/api/auth/sign-out', {
      headers: { origin: 'http://evil.example' },
    });
    expect(crossSite.status()).toBe(403);
    expect((await browser.get('/api/auth/session')).status()).toBe(200);

    expect((await browser.post('/api/auth/sign-out', { headers: { origin } })).status()).toBe(204);
    // The old cookie, replayed by someone who kept it, no longer answers.
    const replayed = await playwright.request.newContext({ baseURL: baseURL ?? '' });
    try {
      expect((await replayed.get('/api/auth/session', { headers: { cookie } })).status()).toBe(401);
    } finally {
      await replayed.dispose();
    }
  } finally {
    await browser.dispose();
  }
});
