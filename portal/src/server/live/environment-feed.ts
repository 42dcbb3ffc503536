import { summarizeReason } from '../domain/environment-views';
import { DomainError } from '../domain/errors';
import { type Observation, type Reconciler, settled } from '../domain/reconciler';
import type { StreamMessage } from '../domain/types';
import { LiveHub } from './hub';

export interface EnvironmentFeedOptions {
  readonly reconciler: Reconciler;
  /** Upstream poll period per watched environment. */
  readonly pollIntervalMs: number;
  /** Told when a rescan of the registry failed (the next one tries again). */
  readonly onError?: (error: unknown) => void;
}

/**
 * The live projection of environments: one shared poll per environment (the hub) feeding request
 * handlers and event streams. An environment the reconciler tracks (in flight: requested, deploying,
 * destroying…) is polled by `Reconciler.step`, whose writes bring the registry in line with the
 * platform; every other one by `Reconciler.read`, which writes nothing. Readers only ever join a poll.
 */
export class EnvironmentFeed {
  readonly hub: LiveHub<Observation>;
  private readonly tracked = new Map<string, () => void>();
  /** Observations made by a reconciler step (a pure read joined by a new subscription is not one). */
  private readonly stepped = new WeakSet<Observation>();
  private rescan: NodeJS.Timeout | undefined;

  constructor(private readonly options: EnvironmentFeedOptions) {
    this.hub = new LiveHub({ poll: (suffix) => this.poll(suffix), intervalMs: options.pollIntervalMs });
  }

  /** Attaches the reconciler to every environment still in flight (at startup, after a restart). */
  async resume(): Promise<number> {
    const inFlight = await this.options.reconciler.inFlight();
    for (const record of inFlight)
      if (!this.tracked.has(record.environmentSuffix)) this.track(record.environmentSuffix);
    return inFlight.length;
  }

  /** `resume` now and every `intervalMs` until `close`; resolves with the first count. */
  async start(intervalMs: number): Promise<number> {
    const resumed = await this.resume();
    this.rescan ??= setInterval(() => {
      this.resume().catch((error: unknown) => this.options.onError?.(error));
    }, intervalMs);
    this.rescan.unref?.();
    return resumed;
  }

  /** The environment's latest observation, never older than one poll interval. */
  read(environmentSuffix: string): Promise<Observation> {
    return this.hub.read(environmentSuffix);
  }

  /** An observation polled after this call: for a tracked environment, a reconciler step made now. */
  refresh(environmentSuffix: string): Promise<Observation> {
    return this.hub.refresh(environmentSuffix);
  }

  /** Forgets the cached observation so the next read polls (after a mutation). */
  invalidate(environmentSuffix: string): void {
    this.hub.invalidate(environmentSuffix);
  }

  /**
   * Keeps an environment's reconciling poll alive until its lifecycle settles, so the registry moves
   * on even when nobody watches. Shares the hub's single poll. `untilSettledAfterChange`: a settled
   * environment (a retried or promoted one) is followed until it has moved and settled again.
   */
  track(environmentSuffix: string, options: { untilSettledAfterChange?: boolean } = {}): void {
    this.tracked.get(environmentSuffix)?.();
    // A value cached before the change that made it worth tracking (a settled one) would end it at once.
    this.hub.invalidate(environmentSuffix);
    let sawWork = !options.untilSettledAfterChange;
    let stop: (() => void) | undefined;
    let settledEarly = false;
    const release = () => {
      if (stop === undefined) settledEarly = true;
      else stop();
      this.tracked.delete(environmentSuffix);
    };
    // Tracked before the subscription's first poll, so that poll is already the reconciler's.
    this.tracked.set(environmentSuffix, () => stop?.());
    stop = this.hub.subscribe(environmentSuffix, (update) => {
      // Only the reconciler's own steps say whether it is done (a read in flight may predate the change).
      if (update.type !== 'value' || !this.stepped.has(update.value)) return;
      const { record, snapshot } = update.value;
      if (!settled(record) || !isSettledPhase(snapshot.progress.phase)) sawWork = true;
      else if (sawWork) release();
    });
    if (settledEarly) stop();
  }

  /** Messages for one SSE watcher; returns the unsubscribe function. */
  watch(
    environmentSuffix: string,
    send: (message: StreamMessage) => void,
    onSettled: () => void,
  ): () => void {
    let sentEvents = new Set<string>();
    let lastKey = '';
    return this.hub.subscribe(environmentSuffix, (update) => {
      if (update.type === 'error') {
        send({
          type: 'error',
          message: 'the platform could not be reached; retrying',
          retryInMs: update.retryInMs,
        });
        return;
      }
      const { record, snapshot } = update.value;
      const fresh = snapshot.events.filter((event) => !sentEvents.has(event.eventId));
      if (fresh.length > 0) {
        send({ type: 'events', events: fresh });
        sentEvents = new Set(snapshot.events.map((event) => event.eventId));
      }
      const key = JSON.stringify([
        record.status,
        record.statusReason,
        snapshot.progress,
        snapshot.outputs.length,
      ]);
      if (key !== lastKey) {
        lastKey = key;
        send({
          type: 'snapshot',
          status: record.status,
          ...(record.statusReason === undefined
            ? {}
            : { statusReason: summarizeReason(record.statusReason) }),
          progress: snapshot.progress,
          ...(snapshot.failure === undefined
            ? {}
            : { failure: { ...snapshot.failure, reason: summarizeReason(snapshot.failure.reason) } }),
          outputsAvailable: snapshot.outputs.length > 0,
        });
      }
      if (settled(record) && isSettledPhase(snapshot.progress.phase)) onSettled();
    });
  }

  close(): void {
    if (this.rescan !== undefined) clearInterval(this.rescan);
    for (const stop of this.tracked.values()) stop();
    this.tracked.clear();
    this.hub.close();
  }

  private async poll(environmentSuffix: string): Promise<Observation> {
    const { reconciler } = this.options;
    if (!this.tracked.has(environmentSuffix)) return reconciler.read(environmentSuffix);
    try {
      const observation = await reconciler.step(environmentSuffix);
      this.stepped.add(observation);
      return observation;
    } catch (error) {
      // Removed by someone else (the sweeper, another portal process): nothing is left to reconcile.
      if (error instanceof DomainError && error.code === 'not_found') {
        this.tracked.get(environmentSuffix)?.();
        this.tracked.delete(environmentSuffix);
      }
      throw error;
    }
  }
}

function isSettledPhase(phase: string): boolean {
  return phase === 'complete' || phase === 'failed' || phase === 'destroyed' || phase === 'queued';
}
