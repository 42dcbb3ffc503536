export type HubUpdate<T> =
  | { readonly type: 'value'; readonly value: T }
  | { readonly type: 'error'; readonly message: string; readonly retryInMs: number };

export type HubListener<T> = (update: HubUpdate<T>) => void;

export interface LiveHubOptions<T> {
  /** The ONE upstream read per key per interval, however many listeners. */
  readonly poll: (key: string) => Promise<T>;
  readonly intervalMs: number;
  /** Cap of the exponential backoff after consecutive errors. @default 30_000 */
  readonly maxBackoffMs?: number;
}

interface Channel<T> {
  readonly listeners: Set<HubListener<T>>;
  timer?: NodeJS.Timeout;
  /** True from a tick's start until the loop stops: a poll in flight for a `read()` is not a running loop. */
  looping: boolean;
  inFlight?: Promise<T>;
  last?: { readonly value: T; readonly at: number };
  failures: number;
}

/**
 * Shared upstream polling: every watcher of a key (SSE streams, the lifecycle
 * reconciler, detail reads) shares one poll loop, ref-counted by listeners.
 * Errors back off exponentially (interval × 2^n, capped) like the CDK CLI does
 * on throttling; the first success resets the pace.
 */
export class LiveHub<T> {
  private readonly channels = new Map<string, Channel<T>>();
  private calls = 0;
  private readonly maxBackoffMs: number;

  constructor(private readonly options: LiveHubOptions<T>) {
    this.maxBackoffMs = options.maxBackoffMs ?? 30_000;
  }

  /** Starts (or joins) the key's poll loop; returns the unsubscribe function. */
  subscribe(key: string, listener: HubListener<T>): () => void {
    const channel = this.channel(key);
    channel.listeners.add(listener);
    if (channel.last !== undefined) listener({ type: 'value', value: channel.last.value });
    // A request's read() may have a poll in flight; the loop still has to start (tick joins that poll).
    if (!channel.looping) {
      channel.looping = true;
      void this.tick(key, channel);
    }
    return () => {
      channel.listeners.delete(listener);
      if (channel.listeners.size === 0) {
        if (channel.timer !== undefined) {
          clearTimeout(channel.timer);
          channel.timer = undefined;
          channel.looping = false;
        }
        if (channel.inFlight === undefined) this.channels.delete(key);
      }
    };
  }

  /**
   * The key's latest value if younger than one interval, else one poll shared
   * with whoever else asks meanwhile (request handlers read through here).
   */
  async read(key: string): Promise<T> {
    const channel = this.channel(key);
    if (channel.last !== undefined && Date.now() - channel.last.at < this.options.intervalMs)
      return channel.last.value;
    this.pruneIdle();
    return this.pollOnce(key, channel);
  }

  /** Drops cached values nobody watches once they are stale, so reads do not accumulate channels. */
  private pruneIdle(): void {
    if (this.channels.size < 64) return;
    const staleBefore = Date.now() - this.options.intervalMs;
    for (const [key, channel] of this.channels) {
      if (
        channel.listeners.size === 0 &&
        channel.inFlight === undefined &&
        (channel.last?.at ?? 0) < staleBefore
      ) {
        this.channels.delete(key);
      }
    }
  }

  /**
   * A poll that starts after this call (a poll already in flight may predate a mutation): the value
   * as of now, shared with whoever else asks meanwhile.
   */
  async refresh(key: string): Promise<T> {
    const channel = this.channel(key);
    await channel.inFlight?.catch(() => undefined);
    channel.last = undefined;
    return this.pollOnce(key, channel);
  }

  /** Forgets the cached value so the next read polls (after a mutation). */
  invalidate(key: string): void {
    const channel = this.channels.get(key);
    if (channel !== undefined) channel.last = undefined;
  }

  /** Upstream polls made since start: the figure the bench checks against the key count. */
  get upstreamCalls(): number {
    return this.calls;
  }

  stats(): { readonly keys: number; readonly listeners: number; readonly upstreamCalls: number } {
    let listeners = 0;
    for (const channel of this.channels.values()) listeners += channel.listeners.size;
    return { keys: this.channels.size, listeners, upstreamCalls: this.calls };
  }

  close(): void {
    for (const channel of this.channels.values()) {
      if (channel.timer !== undefined) clearTimeout(channel.timer);
      channel.looping = false;
      channel.listeners.clear();
    }
    this.channels.clear();
  }

  private channel(key: string): Channel<T> {
    let channel = this.channels.get(key);
    if (channel === undefined) {
      channel = { listeners: new Set(), looping: false, failures: 0 };
      this.channels.set(key, channel);
    }
    return channel;
  }

  private pollOnce(key: string, channel: Channel<T>): Promise<T> {
    if (channel.inFlight !== undefined) return channel.inFlight;
    this.calls += 1;
    const inFlight = this.options.poll(key).then(
      (value) => {
        channel.last = { value, at: Date.now() };
        channel.failures = 0;
        channel.inFlight = undefined;
        return value;
      },
      (error: unknown) => {
        channel.failures += 1;
        channel.inFlight = undefined;
        throw error;
      },
    );
    channel.inFlight = inFlight;
    return inFlight;
  }

  private async tick(key: string, channel: Channel<T>): Promise<void> {
    channel.timer = undefined;
    const startedAt = Date.now();
    let delay = this.options.intervalMs;
    try {
      const value = await this.pollOnce(key, channel);
      for (const listener of [...channel.listeners]) listener({ type: 'value', value });
    } catch (error) {
      delay = Math.min(this.maxBackoffMs, this.options.intervalMs * 2 ** channel.failures);
      const message = error instanceof Error ? error.message : String(error);
      for (const listener of [...channel.listeners]) listener({ type: 'error', message, retryInMs: delay });
    }
    if (channel.listeners.size > 0 && this.channels.get(key) === channel) {
      // Fixed rate: a slow poll does not stretch the period (one poll per interval, not per interval + latency).
      const wait = channel.failures > 0 ? delay : Math.max(0, delay - (Date.now() - startedAt));
      channel.timer = setTimeout(() => void this.tick(key, channel), wait);
      channel.timer.unref?.();
      return;
    }
    channel.looping = false;
    if (channel.listeners.size === 0 && this.channels.get(key) === channel) this.channels.delete(key);
  }
}
