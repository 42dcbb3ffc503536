import { parseConfig } from '../config';
import { mayUsePortal } from '../domain/permissions';
import { identityOf } from './oidc';
import { isAllowedHost, isSameOrigin, strictTransportSecurity } from './same-origin';

const request = (url: string, headers: Record<string, string> = {}) => new Request(url, { headers });

describe('the Host allow-list (DNS rebinding)', () => {
  it('local mode answers its loopback names on its port only, whatever the request says its origin is', () => {
    const { allowedHosts } = parseConfig({ PORT: '4100' }, '/tmp');
    expect(allowedHosts).toEqual(['127.0.0.1:4100', 'localhost:4100', '[::1]:4100']);
    expect(isAllowedHost(request('http://127.0.0.1:4100/api/auth/token'), allowedHosts)).toBe(true);
    // A rebound name reaches the same socket with its own Host and a matching Origin: refused.
    const rebound = request('http://127.0.0.1:4100/api/auth/token', {
      host: 'attacker.example:4100',
      origin: 'http://attacker.example:4100',
    });
    expect(isAllowedHost(rebound, allowedHosts)).toBe(false);
    expect(isAllowedHost(request('http://127.0.0.1:4101/'), allowedHosts)).toBe(false);
  });

  it('aws mode answers the hosts of its public URLs, or the configured list', () => {
    const aws = {
      PORTAL_MODE: 'aws',
      AWS_REGION: 'us-east-1',
      PORTAL_OIDC_ISSUER: 'https://id.example.com',
      PORTAL_OIDC_CLIENT_ID: 'portal',
      PORTAL_OIDC_CLIENT_SECRET: 'secret',
      PORTAL_OIDC_REDIRECT_URI: 'https://portal.example.com/api/auth/oidc/callback',
      PORTAL_SESSION_SECRET: 'x'.repeat(32),
      PORTAL_PIPELINE_ACCOUNT: '111111111111',
      PORTAL_DEPLOYMENT_TARGETS: '111111111111/us-east-1',
      PORTAL_HOST: '0.0.0.0',
    };
    expect(parseConfig(aws, '/tmp').allowedHosts).toEqual(['portal.example.com']);
    expect(
      parseConfig({ ...aws, PORTAL_ALLOWED_HOSTS: 'Portal.example.com, alt.example.com:8443' }, '/tmp')
        .allowedHosts,
    ).toEqual(['portal.example.com', 'alt.example.com:8443']);
  });
});

describe('same-origin and HSTS', () => {
  it('a cross-site form post (sign-out) is not same-origin; the portal’s own page is', () => {
    const url = 'http://127.0.0.1:3000/api/auth/sign-out';
    expect(isSameOrigin(request(url, { origin: 'https://evil.example' }))).toBe(false);
    expect(isSameOrigin(request(url, { origin: 'http://127.0.0.1:3000' }))).toBe(true);
    expect(isSameOrigin(request(url))).toBe(false);
  });

  it('sends Strict-Transport-Security over TLS only (directly or behind a TLS-terminating proxy)', () => {
    expect(strictTransportSecurity(request('https://portal.example.com/'))).toMatch(/^max-age=\d+/);
    expect(
      strictTransportSecurity(request('http://10.0.0.5:3000/', { 'x-forwarded-proto': 'https' })),
    ).toBeDefined();
    expect(strictTransportSecurity(request('http://127.0.0.1:3000/'))).toBeUndefined();
  });
});

describe('who may use the portal', () => {
  it('a user with no portal role (OIDC gives anyone outside the groups a session) may do nothing', () => {
    expect(mayUsePortal({ id: 'eve', name: 'Eve', roles: [] })).toMatchObject({ allowed: false });
    expect(mayUsePortal({ id: 'bob', name: 'Bob', roles: ['engineer'] })).toEqual({ allowed: true });
  });

  it('takes the user id from the e-mail only when the provider verified it', () => {
    expect(identityOf({ sub: 'u-1', email: 'carol@example.com', email_verified: true })).toEqual({
      id: 'carol@example.com',
      name: 'carol@example.com',
      email: 'carol@example.com',
    });
    expect(identityOf({ sub: 'u-2', email: 'carol@example.com', name: 'Mallory' })).toEqual({
      id: 'u-2',
      name: 'Mallory',
    });
    expect(identityOf({ sub: 'u-3', email: 'carol@example.com', email_verified: 'true' }).id).toBe('u-3');
  });
});
