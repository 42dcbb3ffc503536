import { isoTimestamp } from './iso-time';

describe('isoTimestamp', () => {
  it.each([
    0,
    951_782_400_000, // 2000-02-29, a leap day of a century divisible by 400
    4_107_542_399_999, // 2100-02-28T23:59:59.999Z, the century that is not a leap year
    1_795_000_000_123.7, // a fractional millisecond, truncated like Date does
    Date.parse('2026-11-23T23:59:59.999Z'),
    Date.parse('2028-12-31T00:00:00.000Z'),
  ])('formats %p exactly as Date#toISOString', (epochMs) => {
    expect(isoTimestamp(epochMs)).toBe(new Date(epochMs).toISOString());
  });

  it('agrees with Date#toISOString on 100,000 instants between 1970 and 2200', () => {
    let seed = 42;
    const next = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    const mismatches: string[] = [];
    for (let i = 0; i < 100_000; i += 1) {
      const epochMs = Math.floor(next() * 7_258_118_400_000);
      const expected = new Date(epochMs).toISOString();
      if (isoTimestamp(epochMs) !== expected) mismatches.push(expected);
    }
    expect(mismatches).toEqual([]);
  });
});
