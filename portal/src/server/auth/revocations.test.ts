import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { createLocalDynamoClient, type LocalDynamo, startLocalDynamo } from '@sep/registry';
import type { AuditStore } from '../audit/audit-store';
import { parseConfig } from '../config';
import { Authenticator } from './authenticator';
import { createSessionTable, SessionRevocations } from './revocations';
import { SESSION_COOKIE, SessionSigner } from './session';

const alice = { id: 'alice', name: 'Alice', roles: ['engineer' as const] };
const TABLE = 'sessions';

describe('sessions end on the server', () => {
  let dir: string;
  let store: LocalDynamo;
  let damaged: string[];
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sep-revocations-'));
    store = await startLocalDynamo();
    await createSessionTable({ client: client(), tableName: TABLE });
    damaged = [];
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  const client = () => createLocalDynamoClient({ endpoint: store.endpoint });

  /** One portal process: its own signer and store client, the shared session table. */
  async function portal() {
    const signer = await SessionSigner.create({ dataDir: dir });
    const audit = { record: async () => ({}) } as unknown as AuditStore;
    const revocations = new SessionRevocations({
      client: client(),
      tableName: TABLE,
      onDamagedItem: (key) => damaged.push(key),
    });
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

  it('a sign-out on one portal process ends the session on every other (aws mode runs several tasks)', async () => {
    const taskA = await portal();
    const taskB = await portal();
    const request = taskA.withCookie((await taskA.auth.startSession(alice)).setCookie);
    expect((await taskB.auth.principal(request))?.user.id).toBe('alice');

    await taskA.auth.endSession(request);

    expect(await taskB.auth.principal(request)).toBeUndefined();
  });

  it('an unreadable user record refuses that user’s sessions rather than let revoked ones back in', async () => {
    const { auth, withCookie } = await portal();
    const request = withCookie((await auth.startSession(alice)).setCookie);
    await client().send(
      new PutItemCommand({ TableName: TABLE, Item: { pk: { S: 'user#alice' }, notBefore: { S: 'soon' } } }),
    );

    expect(await auth.principal(request)).toBeUndefined();
    expect(damaged).toEqual(['user#alice']);
  });

  it('a user with no portal role signs in and out like anyone else (no empty set is written)', async () => {
    const { auth, withCookie } = await portal();
    const request = withCookie((await auth.startSession({ id: 'eve', name: 'Eve', roles: [] })).setCookie);
    expect((await auth.principal(request))?.user.roles).toEqual([]);
    await auth.endSession(request);
    expect(await auth.principal(request)).toBeUndefined();
  });
});
