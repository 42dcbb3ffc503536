import { expect, test } from '../src/fixtures';

test('security headers and the same-origin rule, as the real server answers them', async ({
  request,
  baseURL,
}) => {
  const origin = new URL(baseURL ?? '').origin;

  // The JSON API: nothing in an answer may run, load or be framed.
  const api = await request.get('/api/openapi.json');
  expect(api.status()).toBe(200);
  expect(api.headers()['content-security-policy']).toContain("default-src 'none'");
  expect(api.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
  expect(api.headers()['x-content-type-options']).toBe('nosniff');
  expect(api.headers()['x-frame-options']).toBe('DENY');

  // Pages: a fresh script nonce in every response's policy.
  const policies = await Promise.all(
    [1, 2].map(async () => (await request.get('/sign-in')).headers()['content-security-policy'] ?? ''),
  );
  for (const policy of policies) {
    expect(policy).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
    expect(policy).toContain("frame-ancestors 'none'");
  }
  expect(policies[0]).not.toBe(policies[1]);

  // A mutation carrying the session cookie from another origin is refused by the API itself, and
  // nothing is written; the same call from the portal's origin is judged on its merits (here: 404).
  const signIn = await request.post('/api/auth/sign-in', {
    headers: { origin },
    data: { username: 'alice' },
  });
  expect(signIn.status()).toBe(200);
  const crossSite = await request.delete('/api/environments/never-requested', {
    headers: { origin: 'http://evil.example' },
  });
  expect(crossSite.status()).toBe(403);
  expect(((await crossSite.json()) as { error: { code: string } }).error.code).toBe('forbidden');
  const sameSite = await request.delete('/api/environments/never-requested', { headers: { origin } });
  expect(sameSite.status()).toBe(404);
});
