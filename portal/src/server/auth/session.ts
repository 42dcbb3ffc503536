import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import { ROLES, type User } from '../domain/types';

import { SESSION_COOKIE } from './session-cookie-name';

export { SESSION_COOKIE };
export const SESSION_TTL_SECONDS = 12 * 3600;
const ISSUER = 'sep-portal';
const SESSION_AUDIENCE = 'sep-portal-session';
const API_AUDIENCE = 'sep-portal-api';

const claimsSchema = z.object({
  sub: z.string().min(1),
  name: z.string().min(1),
  email: z.string().optional(),
  roles: z.array(z.enum(ROLES)),
  exp: z.number(),
  iat: z.number().optional(),
  jti: z.string().optional(),
});

/**
 * Signs and verifies session cookies and bearer tokens (HS256 JWTs via jose).
 * The two carry different audiences, so a cookie value is not a bearer token
 * and vice versa.
 */
export class SessionSigner {
  private constructor(private readonly key: CryptoKey) {}

  /** The configured secret, or one generated once per data folder (mode 0600). */
  static async create(options: { secret?: string; dataDir: string }): Promise<SessionSigner> {
    if (options.secret !== undefined) return SessionSigner.fromSecret(options.secret);
    const file = path.join(options.dataDir, 'session-secret');
    if (!existsSync(file)) {
      await mkdir(options.dataDir, { recursive: true });
      await writeFile(file, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' }).catch(
        (error: NodeJS.ErrnoException) => {
          if (error.code !== 'EEXIST') throw error;
        },
      );
    }
    return SessionSigner.fromSecret((await readFile(file, 'utf8')).trim());
  }

  /**
   * The HMAC key is imported once: given raw bytes, jose imports a CryptoKey on every sign and verify,
   * which is a measurable share of every authenticated request under load.
   */
  private static async fromSecret(secret: string): Promise<SessionSigner> {
    const key = await crypto.subtle.importKey(
      'raw',
      new TextEncoder().encode(secret),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign', 'verify'],
    );
    return new SessionSigner(key);
  }

  sign(
    user: User,
    options: { kind: 'session' | 'api'; ttlSeconds?: number; now?: Date },
  ): Promise<{ token: string; expiresAt: Date; issuedAt: Date }> {
    const now = options.now ?? new Date();
    const expiresAt = new Date(now.getTime() + (options.ttlSeconds ?? SESSION_TTL_SECONDS) * 1000);
    return (
      new SignJWT({
        name: user.name,
        roles: [...user.roles],
        ...(user.email ? { email: user.email } : {}),
      })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(user.id)
        .setIssuer(ISSUER)
        .setAudience(options.kind === 'session' ? SESSION_AUDIENCE : API_AUDIENCE)
        .setIssuedAt(Math.floor(now.getTime() / 1000))
        .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
        // The session's id: what sign-out revokes on the server.
        .setJti(randomUUID())
        .sign(this.key)
        .then((token) => ({ token, expiresAt, issuedAt: new Date(Math.floor(now.getTime() / 1000) * 1000) }))
    );
  }

  async verify(
    token: string,
    kind: 'session' | 'api',
  ): Promise<{ user: User; expiresAt: Date; issuedAt: Date; sessionId?: string } | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        issuer: ISSUER,
        audience: kind === 'session' ? SESSION_AUDIENCE : API_AUDIENCE,
        algorithms: ['HS256'],
      });
      const claims = claimsSchema.safeParse(payload);
      if (!claims.success) return undefined;
      const { sub, name, email, roles, exp, iat, jti } = claims.data;
      return {
        user: { id: sub, name, roles, ...(email ? { email } : {}) },
        expiresAt: new Date(exp * 1000),
        issuedAt: new Date((iat ?? 0) * 1000),
        ...(jti === undefined ? {} : { sessionId: jti }),
      };
    } catch {
      return undefined;
    }
  }

  /** A short-lived signed value (OIDC state/PKCE verifier between login and callback). */
  async signValue(value: Record<string, string>, ttlSeconds: number): Promise<string> {
    return new SignJWT(value)
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(ISSUER)
      .setAudience('sep-portal-oidc')
      .setExpirationTime(`${ttlSeconds}s`)
      .sign(this.key);
  }

  async verifyValue(token: string): Promise<Record<string, unknown> | undefined> {
    try {
      return (
        await jwtVerify(token, this.key, {
          issuer: ISSUER,
          audience: 'sep-portal-oidc',
          algorithms: ['HS256'],
        })
      ).payload;
    } catch {
      return undefined;
    }
  }
}

/** Looks a static API token up by its SHA-256 (aws mode's `PORTAL_API_TOKENS`), in constant time per entry. */
export function matchStaticToken<T extends { readonly sha256: string }>(
  token: string,
  entries: readonly T[],
): T | undefined {
  const digest = createHash('sha256').update(token).digest();
  return entries.find((entry) => {
    const expected = Buffer.from(entry.sha256, 'hex');
    return expected.length === digest.length && timingSafeEqual(expected, digest);
  });
}

export function sessionCookie(token: string, options: { maxAgeSeconds: number; secure: boolean }): string {
  return [
    `${SESSION_COOKIE}=${token}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Lax',
    `Max-Age=${options.maxAgeSeconds}`,
    ...(options.secure ? ['Secure'] : []),
  ].join('; ');
}

export function readCookie(header: string | null, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}
