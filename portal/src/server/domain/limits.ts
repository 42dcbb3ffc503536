import { LRUCache } from 'lru-cache';
import { DomainError, hasBrand } from './errors';

export interface LimitsOptions {
  /** Ephemeral environments one user may have that are not destroyed. */
  readonly activeEphemeralPerUser: number;
  /** Environment requests one user may make per minute (any kind). */
  readonly createsPerMinutePerUser: number;
  /** Event streams one user may hold open at once. */
  readonly streamsPerUser: number;
  /** Event streams the portal holds open at once. */
  readonly streamsTotal: number;
  /** @default Date.now */
  readonly clock?: () => number;
}

/** Sane defaults: a person works on a handful of environments; a browser opens a stream per tab. */
export const DEFAULT_LIMITS: LimitsOptions = {
  activeEphemeralPerUser: 10,
  createsPerMinutePerUser: 10,
  streamsPerUser: 20,
  streamsTotal: 1000,
};

const MINUTE_MS = 60_000;

/** A refusal for going over a limit: 429 with when to try again. */
const LIMIT_EXCEEDED = Symbol.for('sep.portal.LimitExceededError');

export class LimitExceededError extends DomainError {
  // Not the prototype chain: see `hasBrand` (and a DomainError is not always a LimitExceededError).
  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasBrand(value, LIMIT_EXCEEDED);
  }
  readonly [LIMIT_EXCEEDED] = true;
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super('rate_limited', message);
  }
}

/**
 * What one user, and the portal as a whole, may hold or do: every environment costs money in aws mode,
 * and every event stream holds memory. Counts live in this process (one portal process per registry).
 */
export class Limits {
  /** Per user: the times of their requests in the last minute, oldest first. */
  private readonly creates = new LRUCache<string, number[]>({ max: 10_000 });
  private readonly streams = new Map<string, number>();
  private streamsOpen = 0;
  private readonly clock: () => number;

  constructor(private readonly options: LimitsOptions = DEFAULT_LIMITS) {
    this.clock = options.clock ?? Date.now;
  }

  /** Why `userId` may not request an ephemeral environment now (`active`: theirs not destroyed), if so. */
  createRefusal(
    userId: string,
    request: { readonly kind: string; readonly activeEphemeral: number },
  ): LimitExceededError | undefined {
    const now = this.clock();
    const recent = (this.creates.get(userId) ?? []).filter((at) => at > now - MINUTE_MS);
    const { createsPerMinutePerUser, activeEphemeralPerUser } = this.options;
    if (recent.length >= createsPerMinutePerUser) {
      const retryAfter = Math.max(1, Math.ceil(((recent[0] ?? now) + MINUTE_MS - now) / 1000));
      return new LimitExceededError(
        `at most ${createsPerMinutePerUser} environment requests per minute per user; try again in ${retryAfter} s`,
        retryAfter,
      );
    }
    if (request.kind === 'ephemeral' && request.activeEphemeral >= activeEphemeralPerUser) {
      return new LimitExceededError(
        `at most ${activeEphemeralPerUser} active ephemeral environments per user: destroy one first`,
        60,
      );
    }
    return undefined;
  }

  /** Counts a request of `userId` against the per-minute limit. */
  noteCreate(userId: string): void {
    const now = this.clock();
    const recent = (this.creates.get(userId) ?? []).filter((at) => at > now - MINUTE_MS);
    this.creates.set(userId, [...recent, now]);
  }

  /** Opens an event stream for `userId`; returns its release. @throws LimitExceededError */
  openStream(userId: string): () => void {
    const mine = this.streams.get(userId) ?? 0;
    if (this.streamsOpen >= this.options.streamsTotal)
      throw new LimitExceededError(
        `the portal serves at most ${this.options.streamsTotal} event streams; try again later`,
        30,
      );
    if (mine >= this.options.streamsPerUser)
      throw new LimitExceededError(
        `at most ${this.options.streamsPerUser} event streams per user: close another tab first`,
        30,
      );
    this.streams.set(userId, mine + 1);
    this.streamsOpen += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.streamsOpen -= 1;
      const left = (this.streams.get(userId) ?? 1) - 1;
      if (left <= 0) this.streams.delete(userId);
      else this.streams.set(userId, left);
    };
  }

  stats(): { readonly streamsOpen: number } {
    return { streamsOpen: this.streamsOpen };
  }
}
