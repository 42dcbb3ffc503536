import type { ReactNode } from 'react';

export interface TableColumn<Row> {
  /** Stable key of the column. */
  readonly key: string;
  readonly header: ReactNode;
  readonly cell: (row: Row) => ReactNode;
  /** Right-aligned tabular figures. @default false */
  readonly numeric?: boolean;
  /** Hidden on narrow screens, where only the key columns fit. @default false */
  readonly secondary?: boolean;
  /** Makes the header a sort control; the table's owner sorts the rows. */
  readonly sort?: {
    /** Whether the rows are sorted by this column now, and which way. */
    readonly direction: 'ascending' | 'descending' | 'none';
    readonly onSort: () => void;
  };
}

function columnClass(column: TableColumn<unknown>): string | undefined {
  return (
    [column.numeric ? 'numeric' : '', column.secondary ? 'col--secondary' : ''].filter(Boolean).join(' ') ||
    undefined
  );
}

export interface TableProps<Row> {
  /** Describes the table for assistive technology (visually hidden unless `showCaption`). */
  readonly caption: string;
  /** @default false */
  readonly showCaption?: boolean;
  readonly columns: readonly TableColumn<Row>[];
  readonly rows: readonly Row[];
  readonly rowKey: (row: Row) => string;
  /** Extra attributes per row (e.g. a `data-testid`). */
  readonly rowProps?: (row: Row) => Record<string, string | undefined>;
  readonly testId?: string;
  /** A footer row (totals), one cell per column key; columns without an entry stay empty. */
  readonly footer?: { readonly label: ReactNode; readonly cells: Readonly<Record<string, ReactNode>> };
}

/** A semantic data table: caption, column headers with scope, one row per item. */
export function Table<Row>({
  caption,
  showCaption = false,
  columns,
  rows,
  rowKey,
  rowProps,
  testId,
  footer,
}: TableProps<Row>) {
  return (
    <div className="table-wrap">
      <table className="table" data-testid={testId}>
        <caption className={showCaption ? undefined : 'visually-hidden'}>{caption}</caption>
        <thead>
          <tr>
            {columns.map((column) => (
              <th
                key={column.key}
                scope="col"
                className={columnClass(column as TableColumn<unknown>)}
                aria-sort={column.sort?.direction}
              >
                {column.sort ? (
                  <button
                    type="button"
                    className="sort-button"
                    onClick={column.sort.onSort}
                    data-testid={`sort-${column.key}`}
                  >
                    {column.header}
                    <span aria-hidden="true">
                      {column.sort.direction === 'ascending'
                        ? '▲'
                        : column.sort.direction === 'descending'
                          ? '▼'
                          : '↕'}
                    </span>
                  </button>
                ) : (
                  column.header
                )}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={rowKey(row)} {...rowProps?.(row)}>
              {columns.map((column) => (
                <td key={column.key} className={columnClass(column as TableColumn<unknown>)}>
                  {column.cell(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
        {footer ? (
          <tfoot>
            <tr>
              {columns.map((column, index) =>
                index === 0 ? (
                  <th key={column.key} scope="row">
                    {footer.label}
                  </th>
                ) : (
                  <td key={column.key} className={columnClass(column as TableColumn<unknown>)}>
                    {footer.cells[column.key] ?? null}
                  </td>
                ),
              )}
            </tr>
          </tfoot>
        ) : null}
      </table>
    </div>
  );
}
