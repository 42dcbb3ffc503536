import type { AuditStore } from '../audit/audit-store';
import type { PortalConfig } from '../config';
import { forbidden } from '../domain/errors';
import { mayDecidePromotion, mayRequest } from '../domain/permissions';
import type { Session, TokenResponse, User } from '../domain/types';
import type { SessionRevocations } from './revocations';
import { isMutation, isSameOrigin } from './same-origin';
import {
  matchStaticToken,
  readCookie,
  SESSION_COOKIE,
  SESSION_TTL_SECONDS,
  type SessionSigner,
  sessionCookie,
} from './session';
import { demoUser } from './users';

export interface Principal {
  readonly user: User;
  readonly via: 'cookie' | 'bearer';
  readonly expiresAt: Date;
}

/** Who is calling: session cookie or bearer token, and the CSRF rule for cookie mutations. */
export class Authenticator {
  constructor(
    private readonly options: {
      readonly config: PortalConfig;
      readonly signer: SessionSigner;
      readonly audit: AuditStore;
      /** Sessions ended on the server (sign-out, role change), shared by every portal process. */
      readonly revocations: SessionRevocations;
    },
  ) {}

  get signer(): SessionSigner {
    return this.options.signer;
  }

  /** The caller, or undefined. Throws 403 for a cross-origin mutation made with the cookie. */
  async principal(request: Request): Promise<Principal | undefined> {
    const authorization = request.headers.get('authorization');
    if (authorization !== null) {
      const match = /^Bearer\s+(\S+)$/i.exec(authorization);
      if (match?.[1] === undefined) return undefined;
      return this.bearer(match[1]);
    }
    const cookie = readCookie(request.headers.get('cookie'), SESSION_COOKIE);
    if (cookie === undefined) return undefined;
    const verified = await this.options.signer.verify(cookie, 'session');
    if (verified === undefined) return undefined;
    if (await this.options.revocations.isRevoked({ userId: verified.user.id, ...verified })) return undefined;
    if (isMutation(request.method) && !isSameOrigin(request, this.options.config.publicOrigin)) {
      throw forbidden('cross-origin request refused: mutations must come from the portal itself');
    }
    return { user: verified.user, expiresAt: verified.expiresAt, via: 'cookie' };
  }

  private async bearer(token: string): Promise<Principal | undefined> {
    const verified = await this.options.signer.verify(token, 'api');
    if (verified !== undefined) {
      if (await this.options.revocations.isRevoked({ userId: verified.user.id, ...verified }))
        return undefined;
      return { user: verified.user, expiresAt: verified.expiresAt, via: 'bearer' };
    }
    const entry = matchStaticToken(token, this.options.config.apiTokens);
    if (entry === undefined) return undefined;
    return {
      user: { id: entry.name, name: entry.name, roles: entry.roles },
      via: 'bearer',
      expiresAt: new Date(Date.now() + SESSION_TTL_SECONDS * 1000),
    };
  }

  sessionView(principal: Principal): Session {
    return {
      user: principal.user,
      mode: this.options.config.mode,
      expiresAt: principal.expiresAt.toISOString(),
      can: {
        requestEnvironment: mayRequest(principal.user, 'ephemeral').allowed,
        decidePromotion: mayDecidePromotion(principal.user).allowed,
        readAudit: true,
      },
    };
  }

  /** Local mode sign-in: a demo user by name. Returns the Set-Cookie header value. */
  async signInDemo(username: string): Promise<{ session: Session; setCookie: string } | undefined> {
    const user = demoUser(username);
    if (user === undefined) return undefined;
    return this.startSession(user);
  }

  async startSession(user: User): Promise<{ session: Session; setCookie: string }> {
    const { token, expiresAt, issuedAt } = await this.options.signer.sign(user, { kind: 'session' });
    // Roles are frozen in a session: new roles end the user's earlier sessions.
    await this.options.revocations.signedIn(user.id, user.roles, issuedAt);
    await this.options.audit.record({
      actor: user.id,
      action: 'auth.signed-in',
      target: 'portal',
      outcome: 'success',
    });
    return {
      session: this.sessionView({ user, via: 'cookie', expiresAt }),
      setCookie: sessionCookie(token, {
        maxAgeSeconds: SESSION_TTL_SECONDS,
        secure: this.options.config.mode === 'aws',
      }),
    };
  }

  /** Sign-out: the request's session cookie stops working on the server, not only in the browser. */
  async endSession(request: Request): Promise<void> {
    const cookie = readCookie(request.headers.get('cookie'), SESSION_COOKIE);
    if (cookie === undefined) return;
    const verified = await this.options.signer.verify(cookie, 'session');
    if (verified?.sessionId === undefined) return;
    await this.options.revocations.revoke(verified.sessionId, verified.expiresAt);
    await this.options.audit.record({
      actor: verified.user.id,
      action: 'auth.signed-out',
      target: 'portal',
      outcome: 'success',
    });
  }

  clearCookie(): string {
    return sessionCookie('', { maxAgeSeconds: 0, secure: this.options.config.mode === 'aws' });
  }

  /** Local mode: a bearer token for scripts, as the named demo user. */
  async issueDemoToken(username: string): Promise<TokenResponse | undefined> {
    const user = demoUser(username);
    if (user === undefined) return undefined;
    const { token, expiresAt } = await this.options.signer.sign(user, { kind: 'api' });
    await this.options.audit.record({
      actor: user.id,
      action: 'auth.token-issued',
      target: 'api',
      outcome: 'success',
    });
    return { token, tokenType: 'Bearer', expiresAt: expiresAt.toISOString(), user };
  }
}
