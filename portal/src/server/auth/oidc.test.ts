import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLocalDynamoClient, type LocalDynamo, startLocalDynamo } from '@sep/registry';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import type { AuditStore, RecordAuditOptions } from '../audit/audit-store';
import { type OidcConfig, type PortalConfig, parseConfig } from '../config';
import { Authenticator } from './authenticator';
import { oidcCallback, oidcLogin } from './oidc';
import { createSessionTable, SessionRevocations } from './revocations';
import { readCookie, SessionSigner } from './session';

const ISSUER = 'https://idp.example.test';
const PORTAL = 'https://portal.example.test';
const CLIENT_ID = 'sep-portal';
const CLIENT_SECRET = 'client-secret-of-the-portal';

/** A minimal OpenID provider: discovery, JWKS and a token endpoint that checks PKCE and the client. */
async function fakeIdp(claims: Record<string, unknown>, options: { forgeSignature?: boolean } = {}) {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  // A key the provider does not publish: what an attacker forging ID tokens would sign with.
  const signingKey = options.forgeSignature ? (await generateKeyPair('RS256')).privateKey : privateKey;
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  let challenge: string | undefined;
  const seen: string[] = [];
  const json = (body: unknown, status = 200) =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  const fetch = async (url: string, init: { method?: string; body?: unknown; headers?: unknown }) => {
    seen.push(`${init.method ?? 'GET'} ${url}`);
    if (url === `${ISSUER}/.well-known/openid-configuration`) {
      return json({
        issuer: ISSUER,
        authorization_endpoint: `${ISSUER}/authorize`,
        token_endpoint: `${ISSUER}/token`,
        jwks_uri: `${ISSUER}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        code_challenge_methods_supported: ['S256'],
      });
    }
    if (url === `${ISSUER}/jwks`) return json({ keys: [jwk] });
    if (url === `${ISSUER}/token`) {
      const form = new URLSearchParams(String(init.body));
      const headers = new Headers(init.headers as HeadersInit);
      const basic = Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64');
      const verifier = form.get('code_verifier') ?? '';
      const derived = createHash('sha256').update(verifier).digest('base64url');
      // client_secret_basic or client_secret_post, the two methods a confidential client may use.
      const authenticated =
        headers.get('authorization') === `Basic ${basic}` ||
        (form.get('client_id') === CLIENT_ID && form.get('client_secret') === CLIENT_SECRET);
      if (!authenticated) return json({ error: 'invalid_client' }, 401);
      if (form.get('code') !== 'the-code' || derived !== challenge)
        return json({ error: 'invalid_grant' }, 400);
      const now = Math.floor(Date.now() / 1000);
      const idToken = await new SignJWT({ ...claims })
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .setIssuer(ISSUER)
        .setAudience(CLIENT_ID)
        .setSubject('user-123')
        .setIssuedAt(now)
        .setExpirationTime(now + 300)
        .sign(signingKey);
      return json({ access_token: 'at', token_type: 'Bearer', expires_in: 300, id_token: idToken });
    }
    return json({ error: 'not found' }, 404);
  };
  return {
    fetch,
    seen,
    expectChallenge: (value: string | undefined) => {
      challenge = value;
    },
  };
}

describe('OIDC sign-in (aws mode)', () => {
  let dir: string;
  let signer: SessionSigner;
  let audit: RecordAuditOptions[];
  let auth: Authenticator;
  // Discovery is cached per configuration object: a fresh one per test keeps each test's IdP its own.
  let config: PortalConfig;
  let oidc: OidcConfig;
  let sessions: LocalDynamo;
  beforeAll(async () => {
    sessions = await startLocalDynamo();
    await createSessionTable({ client: createLocalDynamoClient(sessions), tableName: 'sessions' });
  });
  afterAll(() => sessions.close());
  beforeEach(async () => {
    config = parseConfig({
      PORTAL_MODE: 'aws',
      AWS_REGION: 'us-east-1',
      PORTAL_PIPELINE_ACCOUNT: '111111111111',
      PORTAL_DEPLOYMENT_TARGETS: '111111111111/us-east-1',
      PORTAL_SESSION_SECRET: 's'.repeat(40),
      PORTAL_OIDC_ISSUER: ISSUER,
      PORTAL_OIDC_CLIENT_ID: CLIENT_ID,
      PORTAL_OIDC_CLIENT_SECRET: CLIENT_SECRET,
      PORTAL_OIDC_REDIRECT_URI: `${PORTAL}/api/auth/oidc/callback`,
    });
    if (config.oidc === undefined) throw new Error('OIDC config missing');
    oidc = config.oidc;
    dir = await mkdtemp(path.join(tmpdir(), 'sep-oidc-'));
    signer = await SessionSigner.create({ dataDir: dir, secret: 's'.repeat(40) });
    audit = [];
    const store = {
      record: async (entry: RecordAuditOptions) => void audit.push(entry),
    } as unknown as AuditStore;
    const revocations = new SessionRevocations({
      client: createLocalDynamoClient(sessions),
      tableName: 'sessions',
    });
    auth = new Authenticator({ config, signer, audit: store, revocations });
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  /** Login → the IdP (simulated: it answers with a code) → callback. */
  async function signInThrough(idp: Awaited<ReturnType<typeof fakeIdp>>, tamper: { state?: string } = {}) {
    const login = await oidcLogin({ config: oidc, signer, fetch: idp.fetch });
    expect(login.status).toBe(302);
    const location = new URL(login.headers.get('location') ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(`${ISSUER}/authorize`);
    expect(location.searchParams.get('code_challenge_method')).toBe('S256');
    expect(location.searchParams.get('redirect_uri')).toBe(oidc.redirectUri);
    idp.expectChallenge(location.searchParams.get('code_challenge') ?? undefined);
    const flow = readCookie(login.headers.get('set-cookie'), 'sep_oidc');
    expect(login.headers.get('set-cookie')).toMatch(/HttpOnly; Secure; SameSite=Lax/);
    const state = tamper.state ?? location.searchParams.get('state') ?? '';
    return oidcCallback({
      request: new Request(`${oidc.redirectUri}?code=the-code&state=${state}`, {
        headers: { cookie: `sep_oidc=${flow}` },
      }),
      config: oidc,
      auth,
      fetch: idp.fetch,
    });
  }

  it('signs an approver in with PKCE and state, roles from the groups claim, and audits it', async () => {
    const idp = await fakeIdp({
      email: 'carol@bank.example',
      // The id comes from the e-mail only when the provider verified it (request-guards.test.ts).
      email_verified: true,
      name: 'Carol',
      groups: ['sep-approvers', 'staff'],
    });
    const callback = await signInThrough(idp);
    expect(callback.status).toBe(303);
    expect(callback.headers.get('location')).toBe('/');
    const session = readCookie(callback.headers.get('set-cookie'), 'sep_session');
    expect(session).toBeDefined();
    const verified = await signer.verify(session ?? '', 'session');
    expect(verified?.user).toEqual({
      id: 'carol@bank.example',
      name: 'Carol',
      email: 'carol@bank.example',
      roles: ['approver'],
    });
    expect(audit).toEqual([
      expect.objectContaining({ actor: 'carol@bank.example', action: 'auth.signed-in' }),
    ]);
    expect(idp.seen).toContain(`POST ${ISSUER}/token`);
  });

  it('refuses a callback whose state does not match the flow, and one without the flow cookie', async () => {
    const idp = await fakeIdp({ email: 'mallory@bank.example', groups: ['sep-admins'] });
    const forged = await signInThrough(idp, { state: 'forged-state' });
    expect(forged.status).toBe(401);
    expect(idp.seen).not.toContain(`POST ${ISSUER}/token`);
    const noCookie = await oidcCallback({
      request: new Request(`${oidc.redirectUri}?code=the-code&state=anything`),
      config: oidc,
      auth,
      fetch: idp.fetch,
    });
    expect(noCookie.status).toBe(401);
    expect(audit).toEqual([]);
  });

  it('gives a user with none of the mapped groups a session without roles', async () => {
    const idp = await fakeIdp({ email: 'eve@bank.example', groups: ['everyone'] });
    const callback = await signInThrough(idp);
    const session = readCookie(callback.headers.get('set-cookie'), 'sep_session');
    expect((await signer.verify(session ?? '', 'session'))?.user.roles).toEqual([]);
  });

  it('refuses an ID token that is not signed by a key the provider publishes', async () => {
    const idp = await fakeIdp(
      { email: 'mallory@bank.example', groups: ['sep-admins'] },
      { forgeSignature: true },
    );
    const callback = await signInThrough(idp);
    expect(callback.status).toBe(401);
    expect(callback.headers.get('set-cookie')).toBeNull();
    expect(audit).toEqual([]);
  });
});
