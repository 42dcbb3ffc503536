import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AuditStore } from '../audit/audit-store';
import { parseConfig } from '../config';
import { Authenticator } from './authenticator';
import { SessionRevocations } from './revocations';
import { SESSION_COOKIE, SessionSigner } from './session';

const alice = { id: 'alice', name: 'Alice', roles: ['engineer' as const] };

describe('sessions end on the server', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sep-revocations-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  async function portal() {
    const signer = await SessionSigner.create({ dataDir: dir });
    const audit = { record: async () => ({}) } as unknown as AuditStore;
    const revocations = await SessionRevocations.open(dir);
    const auth = new Authenticator({ config: parseConfig({}, dir), signer, audit, revocations });
    const withCookie = (setCookie: string) =>
      new Request('http://127.0.0.1:3000/api/auth/session', {
        headers: { cookie: `${SESSION_COOKIE}=${/=([^;]+)/.exec(setCookie)?.[1] ?? ''}` },
      });
    return { auth, withCookie };
  }

  it('sign-out revokes the session: the old cookie no longer answers, after a restart too', async () => {
    const { auth, withCookie } = await portal();
    const { setCookie } = await auth.startSession(alice);
    const request = withCookie(setCookie);
    expect((await auth.principal(request))?.user.id).toBe('alice');

    await auth.endSession(request);

    expect(await auth.principal(request)).toBeUndefined();
    const restarted = await portal();
    expect(await restarted.auth.principal(request)).toBeUndefined();
  });

  it('a sign-in with other roles ends the user’s earlier sessions (their roles are frozen in them)', async () => {
    const { auth, withCookie } = await portal();
    const before = withCookie((await auth.startSession(alice)).setCookie);
    // The next sign-in is at least a second later (JWT times are whole seconds).
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const same = withCookie((await auth.startSession(alice)).setCookie);
    expect(await auth.principal(before)).toBeDefined();
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const promoted = withCookie(
      (await auth.startSession({ ...alice, roles: ['engineer', 'approver'] })).setCookie,
    );
    expect(await auth.principal(before)).toBeUndefined();
    expect(await auth.principal(same)).toBeUndefined();
    expect((await auth.principal(promoted))?.user.roles).toEqual(['engineer', 'approver']);
  });

  it('refuses to start on a damaged revocation list rather than let revoked sessions back in', async () => {
    await writeFile(path.join(dir, 'session-revocations.json'), '{"revoked":');
    await expect(SessionRevocations.open(dir)).rejects.toThrow();
    await writeFile(path.join(dir, 'session-revocations.json'), '{"revoked": []}');
    await expect(SessionRevocations.open(dir)).rejects.toThrow(/not a session revocation list/);
  });
});
