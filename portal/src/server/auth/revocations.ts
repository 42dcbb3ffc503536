import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

const stateSchema = z.object({
  /** Revoked session id → when the session would have expired (ms since the epoch). */
  revoked: z.record(z.string(), z.number()),
  /** Per user: the roles of their latest sign-in, and the time before which their sessions are void. */
  users: z.record(z.string(), z.object({ roles: z.array(z.string()), notBefore: z.number() })),
});
type State = z.infer<typeof stateSchema>;

/**
 * Server-side end of sessions: a signed cookie stays valid until it expires unless the server says
 * otherwise. A signed-out session is revoked by its id; a user whose roles changed at sign-in loses every
 * earlier session (their roles are frozen in them). Kept in `<data>/session-revocations.json`, so a
 * restart forgets nothing; expired entries are dropped.
 */
export class SessionRevocations {
  private constructor(
    private readonly file: string | undefined,
    private state: State,
  ) {}

  /** From `dataDir` (created if absent); in memory only without one. */
  static async open(dataDir?: string): Promise<SessionRevocations> {
    if (dataDir === undefined) return new SessionRevocations(undefined, { revoked: {}, users: {} });
    const file = path.join(dataDir, 'session-revocations.json');
    let state: State = { revoked: {}, users: {} };
    if (existsSync(file)) {
      const parsed = stateSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
      // A damaged file must not let revoked sessions back in: refuse to start.
      if (!parsed.success) throw new Error(`${file} is not a session revocation list; fix or remove it`);
      state = parsed.data;
    }
    return new SessionRevocations(file, state);
  }

  /** Whether a session (its id and issue time) was ended on the server. */
  isRevoked(session: {
    readonly userId: string;
    readonly sessionId?: string;
    readonly issuedAt: Date;
  }): boolean {
    if (session.sessionId !== undefined && this.state.revoked[session.sessionId] !== undefined) return true;
    const user = this.state.users[session.userId];
    return user !== undefined && session.issuedAt.getTime() < user.notBefore;
  }

  /** Ends one session (sign-out). */
  async revoke(sessionId: string, expiresAt: Date): Promise<void> {
    this.state.revoked[sessionId] = expiresAt.getTime();
    await this.save();
  }

  /**
   * A sign-in with `roles`: when they differ from the user's previous sign-in, every earlier session of
   * theirs ends (`now` is when the new one was issued; sessions issued before it are void).
   */
  async signedIn(userId: string, roles: readonly string[], issuedAt: Date): Promise<void> {
    const sorted = [...roles].sort();
    const previous = this.state.users[userId];
    if (previous !== undefined && previous.roles.join('+') === sorted.join('+')) return;
    this.state.users[userId] = {
      roles: sorted,
      // The first sign-in voids nothing; JWT times are whole seconds.
      notBefore: previous === undefined ? 0 : Math.floor(issuedAt.getTime() / 1000) * 1000,
    };
    await this.save();
  }

  private async save(): Promise<void> {
    const now = Date.now();
    for (const [id, expires] of Object.entries(this.state.revoked))
      if (expires < now) delete this.state.revoked[id];
    if (this.file === undefined) return;
    await mkdir(path.dirname(this.file), { recursive: true });
    await writeFile(`${this.file}.tmp`, JSON.stringify(this.state), { mode: 0o600 });
    await rename(`${this.file}.tmp`, this.file);
  }
}
