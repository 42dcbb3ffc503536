/**
 * Display formatting shared by every page. Pure functions of their inputs
 * (the clock is passed in) so the list, the detail page and tests agree.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "3d 4h", "5h 12m", "7m", "<1m": the two largest units of a duration. */
export function formatDuration(ms: number): string {
  if (ms < MINUTE) return '<1m';
  const days = Math.floor(ms / DAY);
  const hours = Math.floor((ms % DAY) / HOUR);
  const minutes = Math.floor((ms % HOUR) / MINUTE);
  if (days > 0) return hours > 0 ? `${days}d ${hours}h` : `${days}d`;
  if (hours > 0) return minutes > 0 ? `${hours}h ${minutes}m` : `${hours}h`;
  return `${minutes}m`;
}

/** Age of something created at `createdAt` (ISO-8601). */
export function formatAge(options: { readonly createdAt: string; readonly now: number }): string {
  return formatDuration(Math.max(0, options.now - Date.parse(options.createdAt)));
}

/** Time left before an ephemeral environment expires; `—` when it has no TTL. */
export function formatTtlLeft(options: { readonly expiresAt?: string; readonly now: number }): string {
  if (!options.expiresAt) return '—';
  const left = Date.parse(options.expiresAt) - options.now;
  return left <= 0 ? 'expired' : formatDuration(left);
}

const USD = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 0 });
const USD_CENTS = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  minimumFractionDigits: 2,
});

/** Whole dollars for monthly estimates ("$1,234"), cents below $10 so small lines do not read as $0. */
export function formatUsd(amount: number): string {
  return Math.abs(amount) < 10 && amount !== 0 ? USD_CENTS.format(amount) : USD.format(amount);
}

/** The amount exactly as {@link formatUsd} shows it (whole dollars, cents below $10). */
export function usdAsShown(amount: number): number {
  return Math.abs(amount) < 10 ? Math.round(amount * 100) / 100 : Math.round(amount);
}

/**
 * A total that adds up on screen: the sum of the amounts as they are shown, with cents only when the
 * shown amounts have them. Rounding each line and the total separately would leave them a dollar apart.
 */
export function formatTotalOfShown(amounts: readonly number[]): string {
  const cents = Math.round(amounts.reduce((sum, amount) => sum + usdAsShown(amount) * 100, 0));
  return cents % 100 === 0 ? USD.format(cents / 100) : USD_CENTS.format(cents / 100);
}

/** A signed monthly delta for feature toggles: "+$1,034/mo", "−$5.40/mo". */
export function formatCostDelta(amount: number): string {
  if (amount === 0) return '$0/mo';
  const sign = amount > 0 ? '+' : '−';
  return `${sign}${formatUsd(Math.abs(amount))}/mo`;
}

const DATE_TIME = new Intl.DateTimeFormat('en-GB', {
  year: 'numeric',
  month: 'short',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  timeZone: 'UTC',
  timeZoneName: 'short',
});

const TIME = new Intl.DateTimeFormat('en-GB', {
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  timeZone: 'UTC',
});

/** An absolute timestamp in UTC (the bank's operations run on UTC). */
export function formatDateTime(iso: string): string {
  return DATE_TIME.format(new Date(iso));
}

/** Time of day in UTC, for event logs. */
export function formatTime(iso: string): string {
  return TIME.format(new Date(iso));
}
