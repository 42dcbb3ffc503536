import type { ReactNode } from 'react';

export interface TableColumn<Row> {
  /** Stable key of the column. */
  readonly key: string;
  readonly header: ReactNode;
  readonly cell: (row: Row) => ReactNode;
  /** Right-aligned tabular figures. @default false */
  readonly numeric?: boolean;
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
}: TableProps<Row>) {
  return (
    <div className="table-wrap">
      <table className="table" data-testid={testId}>
        <caption className={showCaption ? undefined : 'visually-hidden'}>{caption}</caption>
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column.key} scope="col" className={column.numeric ? 'numeric' : undefined}>
                {column.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={rowKey(row)} {...rowProps?.(row)}>
              {columns.map((column) => (
                <td key={column.key} className={column.numeric ? 'numeric' : undefined}>
                  {column.cell(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
