import { distinctValues, matchesSearch, nextSort, sortDirectionOf, sortRows } from './table-query';

describe('table queries', () => {
  it('searches every word anywhere in the row, ignoring case', () => {
    expect(matchesSearch(['pr-12', 'payments', 'alice'], 'PAY alice')).toBe(true);
    expect(matchesSearch(['pr-12', 'payments', 'alice'], 'pay bob')).toBe(false);
    expect(matchesSearch(['pr-12', undefined], '  ')).toBe(true);
  });

  it('sorts numbers numerically and text alphabetically, stable, both ways', () => {
    const rows = [
      { name: 'b', cost: 10 },
      { name: 'a', cost: 9 },
      { name: 'c', cost: 10 },
    ];
    const by = (row: (typeof rows)[number], key: 'name' | 'cost') => row[key];
    expect(sortRows(rows, { key: 'cost', direction: 'ascending' }, by).map((r) => r.name)).toEqual([
      'a',
      'b',
      'c',
    ]);
    expect(sortRows(rows, { key: 'cost', direction: 'descending' }, by).map((r) => r.name)).toEqual([
      'b',
      'c',
      'a',
    ]);
    expect(sortRows(rows, { key: 'name', direction: 'descending' }, by).map((r) => r.name)).toEqual([
      'c',
      'b',
      'a',
    ]);
  });

  it('flips the direction on the sorted column and starts ascending on another', () => {
    const byName = { key: 'name', direction: 'ascending' } as const;
    expect(nextSort(byName, 'name')).toEqual({ key: 'name', direction: 'descending' });
    expect(nextSort(byName, 'cost')).toEqual({ key: 'cost', direction: 'ascending' });
    expect(sortDirectionOf(byName, 'cost')).toBe('none');
  });

  it('offers each value once, sorted', () => {
    expect(distinctValues([{ o: 'bob' }, { o: 'alice' }, { o: 'bob' }], (r) => r.o)).toEqual([
      'alice',
      'bob',
    ]);
  });
});
