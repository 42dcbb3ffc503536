import { LimitExceededError, Limits } from './limits';

function limits(overrides: Partial<ConstructorParameters<typeof Limits>[0]> = {}) {
  let now = 1_000_000;
  const limiter = new Limits({
    activeEphemeralPerUser: 2,
    createsPerMinutePerUser: 3,
    streamsPerUser: 2,
    streamsTotal: 3,
    clock: () => now,
    ...overrides,
  });
  return { limiter, advance: (ms: number) => (now += ms) };
}

describe('Limits', () => {
  it('refuses a user’s requests beyond the per-minute limit until the oldest is a minute old', () => {
    const { limiter, advance } = limits();
    for (let i = 0; i < 3; i += 1) {
      expect(limiter.createRefusal('alice', { kind: 'ephemeral', activeEphemeral: 0 })).toBeUndefined();
      limiter.noteCreate('alice');
      advance(1000);
    }
    const refused = limiter.createRefusal('alice', { kind: 'ephemeral', activeEphemeral: 0 });
    expect(refused).toBeInstanceOf(LimitExceededError);
    expect(refused).toMatchObject({ code: 'rate_limited', retryAfterSeconds: 57 });
    // Another user is not affected.
    expect(limiter.createRefusal('bob', { kind: 'ephemeral', activeEphemeral: 0 })).toBeUndefined();
    advance(57_000);
    expect(limiter.createRefusal('alice', { kind: 'ephemeral', activeEphemeral: 0 })).toBeUndefined();
  });

  it('refuses an ephemeral environment beyond the active ones a user may have; other kinds are not counted', () => {
    const { limiter } = limits();
    expect(limiter.createRefusal('alice', { kind: 'ephemeral', activeEphemeral: 1 })).toBeUndefined();
    expect(limiter.createRefusal('alice', { kind: 'ephemeral', activeEphemeral: 2 })?.message).toContain(
      'at most 2 active ephemeral environments per user',
    );
    expect(limiter.createRefusal('dave', { kind: 'staging', activeEphemeral: 5 })).toBeUndefined();
  });

  it('bounds event streams per user and in total, and gives a slot back once (released twice)', () => {
    const { limiter } = limits();
    const first = limiter.openStream('alice');
    limiter.openStream('alice');
    expect(() => limiter.openStream('alice')).toThrow('at most 2 event streams per user');
    const bobs = limiter.openStream('bob');
    expect(() => limiter.openStream('carol')).toThrow('at most 3 event streams');
    first();
    first();
    expect(limiter.stats().streamsOpen).toBe(2);
    limiter.openStream('carol');
    expect(() => limiter.openStream('carol')).toThrow(LimitExceededError);
    bobs();
    expect(limiter.stats().streamsOpen).toBe(2);
  });
});
