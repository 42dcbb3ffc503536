import type { ReactNode } from 'react';

export interface AlertProps {
  /** @default 'info' */
  readonly tone?: 'info' | 'success' | 'warning' | 'danger';
  readonly title?: ReactNode;
  readonly children?: ReactNode;
  /**
   * `alert` interrupts a screen reader (errors that block the user); `status` waits politely.
   * @default 'status'
   */
  readonly role?: 'alert' | 'status';
  readonly testId?: string;
}

/** A message box for outcomes and errors. */
export function Alert({ tone = 'info', title, children, role = 'status', testId }: AlertProps) {
  return (
    <div className={`alert alert--${tone}`} role={role} data-testid={testId}>
      {title ? <p className="alert__title">{title}</p> : null}
      {children}
    </div>
  );
}
