export interface FilterSelectProps {
  readonly id: string;
  readonly label: string;
  /** The chosen value; `''` is "any". */
  readonly value: string;
  readonly options: readonly string[];
  readonly onChange: (value: string) => void;
  /** What "no filter" reads as. @default 'Any' */
  readonly anyLabel?: string;
}

/** A labelled select that narrows a list to one value of a field, or to any. */
export function FilterSelect({ id, label, value, options, onChange, anyLabel = 'Any' }: FilterSelectProps) {
  return (
    <div className="field">
      <label className="field__label" htmlFor={id}>
        {label}
      </label>
      <select
        id={id}
        className="select"
        value={value}
        onChange={(event) => onChange(event.target.value)}
        data-testid={id}
      >
        <option value="">{anyLabel}</option>
        {options.map((option) => (
          <option key={option} value={option}>
            {option}
          </option>
        ))}
      </select>
    </div>
  );
}
