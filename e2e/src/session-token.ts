import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * A session cookie value as the portal signs it after an OIDC sign-in (HS256 JWT, the portal's issuer
 * and session audience), for a user local mode's demo sign-in cannot produce: one outside every portal
 * group (`roles: []`). Signed with the secret a local portal generated in its data folder.
 */
export function sessionCookieValue(options: {
  readonly dataDir: string;
  readonly user: { readonly id: string; readonly name: string; readonly roles: readonly string[] };
}): string {
  const secret = readFileSync(path.join(options.dataDir, 'session-secret'), 'utf8').trim();
  const now = Math.floor(Date.now() / 1000);
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${encode({ alg: 'HS256' })}.${encode({
    name: options.user.name,
    roles: options.user.roles,
    sub: options.user.id,
    iss: 'sep-portal',
    aud: 'sep-portal-session',
    iat: now,
    exp: now + 3600,
    jti: randomUUID(),
  })}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}
