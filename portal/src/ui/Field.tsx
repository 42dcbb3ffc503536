import type { ReactNode } from 'react';

/** The attributes a control needs to be tied to its label, hint and error. */
export interface FieldControlProps {
  readonly id: string;
  readonly 'aria-invalid': boolean;
  readonly 'aria-describedby': string | undefined;
}

export interface FieldProps {
  /** Id of the control; the hint and error ids derive from it. */
  readonly id: string;
  readonly label: ReactNode;
  /** Explains the rule before the user breaks it. */
  readonly hint?: ReactNode;
  /** The validation message, shown under the control. */
  readonly error?: string;
  /** Live status under the control (e.g. availability), announced politely. */
  readonly status?: ReactNode;
  /** @default false */
  readonly optional?: boolean;
  /** Renders the control with the wiring attributes. */
  readonly children: (control: FieldControlProps) => ReactNode;
}

/** A labelled form control with its hint and inline error, wired for assistive technology. */
export function Field({ id, label, hint, error, status, optional = false, children }: FieldProps) {
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const statusId = status !== undefined ? `${id}-status` : undefined;
  const describedBy = [errorId, hintId, statusId].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field">
      <label className="field__label" htmlFor={id}>
        {label}
        {optional ? <span className="field__optional"> (optional)</span> : null}
      </label>
      {hint ? (
        <p className="field__hint" id={hintId}>
          {hint}
        </p>
      ) : null}
      {children({ id, 'aria-invalid': Boolean(error), 'aria-describedby': describedBy })}
      {status !== undefined ? (
        <div id={statusId} aria-live="polite">
          {status}
        </div>
      ) : null}
      {error ? (
        <p className="field__error" id={errorId} data-testid={`field-error-${id}`}>
          {error}
        </p>
      ) : null}
    </div>
  );
}
