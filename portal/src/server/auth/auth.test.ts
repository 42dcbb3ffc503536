import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isSameOrigin } from './same-origin';
import { matchStaticToken, SessionSigner } from './session';
import { demoUser, rolesFromGroups } from './users';

describe('sessions and tokens', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sep-auth-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('generates one secret per data folder (0600) and keeps cookies and bearer tokens apart', async () => {
    const signer = await SessionSigner.create({ dataDir: dir });
    const secretFile = path.join(dir, 'session-secret');
    expect((await stat(secretFile)).mode & 0o777).toBe(0o600);
    const again = await SessionSigner.create({ dataDir: dir });
    const alice = demoUser('alice');
    if (!alice) throw new Error('alice missing');
    const { token } = await signer.sign(alice, { kind: 'session' });
    expect((await again.verify(token, 'session'))?.user).toEqual(alice);
    expect(await again.verify(token, 'api')).toBeUndefined();
    expect(token).not.toContain(await readFile(secretFile, 'utf8'));
    const other = await SessionSigner.create({ dataDir: dir, secret: 'x'.repeat(40) });
    expect(await other.verify(token, 'session')).toBeUndefined();
    const expired = await signer.sign(alice, {
      kind: 'api',
      ttlSeconds: 1,
      now: new Date(Date.now() - 10_000),
    });
    expect(await signer.verify(expired.token, 'api')).toBeUndefined();
  });

  it('matches static API tokens by hash only', () => {
    const entries = [
      {
        name: 'ci',
        roles: ['engineer' as const],
        sha256: createHash('sha256').update('s3cret-token').digest('hex'),
      },
    ];
    expect(matchStaticToken('s3cret-token', entries)?.name).toBe('ci');
    expect(matchStaticToken('s3cret-tokem', entries)).toBeUndefined();
  });

  it('maps IdP groups to roles', () => {
    const mapping = { engineer: 'sep-engineers', approver: 'sep-approvers', admin: 'sep-admins' };
    expect(rolesFromGroups(['sep-approvers', 'everyone'], mapping)).toEqual(['approver']);
    expect(rolesFromGroups('sep-engineers sep-admins', mapping)).toEqual(['engineer', 'admin']);
    expect(rolesFromGroups(undefined, mapping)).toEqual([]);
  });

  it('accepts same-origin mutations only', () => {
    const make = (headers: Record<string, string>) =>
      new Request('http://127.0.0.1:3000/api/environments', { method: 'POST', headers });
    expect(isSameOrigin(make({ origin: 'http://127.0.0.1:3000', host: '127.0.0.1:3000' }))).toBe(true);
    expect(isSameOrigin(make({ origin: 'http://evil.example', host: '127.0.0.1:3000' }))).toBe(false);
    expect(isSameOrigin(make({ 'sec-fetch-site': 'same-origin' }))).toBe(true);
    expect(isSameOrigin(make({ 'sec-fetch-site': 'cross-site' }))).toBe(false);
    expect(isSameOrigin(make({}))).toBe(false);
    expect(isSameOrigin(make({ origin: 'https://portal.example.com' }), 'https://portal.example.com')).toBe(
      true,
    );
  });
});
