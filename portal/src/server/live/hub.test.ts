import { LiveHub } from './hub';

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('LiveHub', () => {
  afterEach(() => jest.useRealTimers());

  it('polls each key once per interval however many listeners watch it', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    const polls: string[] = [];
    const hub = new LiveHub<string>({
      poll: async (key) => {
        polls.push(key);
        return `${key}@${polls.length}`;
      },
      intervalMs: 1000,
    });
    const received = new Map<string, number>();
    const stops: (() => void)[] = [];
    for (let env = 0; env < 20; env += 1) {
      for (let watcher = 0; watcher < 10; watcher += 1) {
        const id = `env-${env}/${watcher}`;
        stops.push(
          hub.subscribe(
            `env-${env}`,
            (u) => u.type === 'value' && received.set(id, (received.get(id) ?? 0) + 1),
          ),
        );
      }
    }
    await flush();
    expect(polls).toHaveLength(20);
    expect(received.size).toBe(200);
    jest.advanceTimersByTime(1000);
    await flush();
    expect(polls).toHaveLength(40);
    expect(hub.stats()).toEqual({ keys: 20, listeners: 200, upstreamCalls: 40 });
    for (const stop of stops) stop();
    jest.advanceTimersByTime(5000);
    await flush();
    expect(polls).toHaveLength(40);
    expect(hub.stats().keys).toBe(0);
  });

  it('hands a late subscriber the last value without polling again', async () => {
    let calls = 0;
    const hub = new LiveHub<number>({ poll: async () => ++calls, intervalMs: 60_000 });
    const stopFirst = hub.subscribe('a', () => {});
    await flush();
    const seen: number[] = [];
    const stopSecond = hub.subscribe('a', (u) => u.type === 'value' && seen.push(u.value));
    expect(seen).toEqual([1]);
    expect(calls).toBe(1);
    stopFirst();
    stopSecond();
    hub.close();
  });

  it('shares one in-flight poll between concurrent reads and caches it for an interval', async () => {
    let calls = 0;
    const hub = new LiveHub<number>({
      poll: () => new Promise((resolve) => setTimeout(() => resolve(++calls), 10)),
      intervalMs: 60_000,
    });
    const values = await Promise.all(Array.from({ length: 50 }, () => hub.read('x')));
    expect(new Set(values)).toEqual(new Set([1]));
    expect(await hub.read('x')).toBe(1);
    hub.invalidate('x');
    expect(await hub.read('x')).toBe(2);
    expect(hub.upstreamCalls).toBe(2);
  });

  it('keeps polling for a listener that subscribed while a read was in flight', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    let calls = 0;
    let release: (() => void) | undefined;
    const hub = new LiveHub<number>({
      poll: () =>
        new Promise((resolve) => {
          calls += 1;
          const value = calls;
          release = () => resolve(value);
        }),
      intervalMs: 1000,
    });
    const pendingRead = hub.read('env');
    const seen: number[] = [];
    const stop = hub.subscribe('env', (u) => u.type === 'value' && seen.push(u.value));
    release?.();
    await pendingRead;
    await flush();
    expect(seen).toEqual([1]);
    expect(calls).toBe(1);
    jest.advanceTimersByTime(1000);
    await flush();
    release?.();
    await flush();
    expect(seen).toEqual([1, 2]);
    jest.advanceTimersByTime(1000);
    await flush();
    release?.();
    await flush();
    expect(seen).toEqual([1, 2, 3]);
    stop();
    hub.close();
  });

  it('backs off exponentially on errors and resets after a success', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    let failuresLeft = 3;
    let calls = 0;
    const hub = new LiveHub<string>({
      poll: async () => {
        calls += 1;
        if (failuresLeft-- > 0) throw new Error('Throttling: Rate exceeded');
        return 'ok';
      },
      intervalMs: 1000,
      maxBackoffMs: 3000,
    });
    const updates: string[] = [];
    const stop = hub.subscribe('k', (u) =>
      updates.push(u.type === 'error' ? `error:${u.retryInMs}` : u.value),
    );
    await flush();
    expect(updates).toEqual(['error:2000']);
    jest.advanceTimersByTime(1999);
    await flush();
    expect(calls).toBe(1);
    jest.advanceTimersByTime(1);
    await flush();
    expect(updates).toEqual(['error:2000', 'error:3000']);
    jest.advanceTimersByTime(3000);
    await flush();
    jest.advanceTimersByTime(3000);
    await flush();
    expect(updates).toEqual(['error:2000', 'error:3000', 'error:3000', 'ok']);
    jest.advanceTimersByTime(1000);
    await flush();
    expect(calls).toBe(5);
    stop();
  });
});
