/**
 * Search, filters and sort of the list pages (environments, audit log), as
 * pure functions of the rows so each page and its tests agree.
 */

export type SortDirection = 'ascending' | 'descending';

export interface SortState<Key extends string> {
  readonly key: Key;
  readonly direction: SortDirection;
}

/** Clicking a column header: sort by it ascending, or flip the direction when it is already the key. */
export function nextSort<Key extends string>(current: SortState<Key>, key: Key): SortState<Key> {
  return current.key === key
    ? { key, direction: current.direction === 'ascending' ? 'descending' : 'ascending' }
    : { key, direction: 'ascending' };
}

/** The `aria-sort` of a column header. */
export function sortDirectionOf<Key extends string>(
  current: SortState<Key>,
  key: Key,
): SortDirection | 'none' {
  return current.key === key ? current.direction : 'none';
}

/** Rows whose searchable text contains every word of `search` (case-insensitive). */
export function matchesSearch(texts: readonly (string | undefined)[], search: string): boolean {
  const words = search.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const haystack = texts.filter(Boolean).join(' ').toLowerCase();
  return words.every((word) => haystack.includes(word));
}

/** A stable sort by the value `by` reads (numbers numerically, text alphabetically). */
export function sortRows<Row, Key extends string>(
  rows: readonly Row[],
  sort: SortState<Key>,
  by: (row: Row, key: Key) => string | number,
): Row[] {
  const sign = sort.direction === 'ascending' ? 1 : -1;
  return rows
    .map((row, index) => ({ row, index, value: by(row, sort.key) }))
    .sort((a, b) => {
      const order =
        typeof a.value === 'number' && typeof b.value === 'number'
          ? a.value - b.value
          : String(a.value).localeCompare(String(b.value));
      return order * sign || a.index - b.index;
    })
    .map(({ row }) => row);
}

/** The distinct values of one field, sorted, for a filter's options. */
export function distinctValues<Row>(rows: readonly Row[], read: (row: Row) => string): string[] {
  return [...new Set(rows.map(read))].sort((a, b) => a.localeCompare(b));
}
