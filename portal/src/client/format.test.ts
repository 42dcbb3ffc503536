import {
  formatAge,
  formatCostDelta,
  formatDateTime,
  formatDuration,
  formatTotalOfShown,
  formatTtlLeft,
  formatUsd,
} from './format';

const NOW = Date.parse('2026-11-23T12:00:00Z');

describe('formatDuration', () => {
  it.each([
    [30_000, '<1m'],
    [7 * 60_000, '7m'],
    [2 * 3_600_000, '2h'],
    [5 * 3_600_000 + 12 * 60_000, '5h 12m'],
    [3 * 86_400_000 + 4 * 3_600_000 + 59 * 60_000, '3d 4h'],
    [2 * 86_400_000, '2d'],
  ])('%d ms reads %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('ages and TTLs', () => {
  it('counts the age from createdAt', () => {
    expect(formatAge({ createdAt: '2026-11-22T10:30:00Z', now: NOW })).toBe('1d 1h');
  });

  it('says how long an ephemeral environment has left, and when it has expired', () => {
    expect(formatTtlLeft({ expiresAt: '2026-11-25T12:00:00Z', now: NOW })).toBe('2d');
    expect(formatTtlLeft({ expiresAt: '2026-11-23T11:59:00Z', now: NOW })).toBe('expired');
  });

  it('shows a dash for environments without a TTL', () => {
    expect(formatTtlLeft({ now: NOW })).toBe('—');
  });
});

describe('money', () => {
  it('rounds monthly figures to whole dollars but keeps cents on small ones', () => {
    expect(formatUsd(1234.56)).toBe('$1,235');
    expect(formatUsd(5.4)).toBe('$5.40');
    expect(formatUsd(0)).toBe('$0');
  });

  it('signs a toggle cost effect', () => {
    expect(formatCostDelta(865.05)).toBe('+$865/mo');
    expect(formatCostDelta(-5.4)).toBe('−$5.40/mo');
    expect(formatCostDelta(0)).toBe('$0/mo');
  });
});

it('shows timestamps in UTC whatever the machine zone', () => {
  expect(formatDateTime('2026-11-23T01:02:03Z')).toMatch(/23 Nov 2026,? 01:02:03 UTC/);
});

describe('formatTotalOfShown', () => {
  it('adds the amounts as shown, so the lines on screen sum to the total on screen', () => {
    const lines = [100.4, 200.4, 300.4];
    expect(lines.map(formatUsd)).toEqual(['$100', '$200', '$300']);
    expect(formatTotalOfShown(lines)).toBe('$600');
    expect(formatUsd(lines.reduce((a, b) => a + b, 0))).toBe('$601');
    expect(formatTotalOfShown([1000, 5.4])).toBe('$1,005.40');
    expect(formatTotalOfShown([])).toBe('$0');
  });
});
