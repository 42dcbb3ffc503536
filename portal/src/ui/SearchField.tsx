import { Field } from './Field';

export interface SearchFieldProps {
  /** Id of the input (also its test id). */
  readonly id: string;
  /** What the search matches, shown in the empty input. */
  readonly placeholder: string;
  readonly value: string;
  readonly onChange: (value: string) => void;
  /** @default 'Search' */
  readonly label?: string;
}

/** A labelled free-text search over a list, beside its FilterSelects in a toolbar. */
export function SearchField({ id, placeholder, value, onChange, label = 'Search' }: SearchFieldProps) {
  return (
    <Field id={id} label={label}>
      {(control) => (
        <input
          {...control}
          type="search"
          className="input"
          placeholder={placeholder}
          value={value}
          onChange={(event) => onChange(event.target.value)}
          data-testid={id}
        />
      )}
    </Field>
  );
}
