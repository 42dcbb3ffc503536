import type { ButtonHTMLAttributes } from 'react';

export type ButtonVariant = 'primary' | 'secondary' | 'danger' | 'ghost';

export interface ButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  /**
   * Visual weight: one `primary` action per view, `danger` only for irreversible ones.
   * @default 'secondary'
   */
  readonly variant?: ButtonVariant;
  /** @default false */
  readonly small?: boolean;
}

/** A native button with the portal's styles; `type` defaults to `button` so it never submits by accident. */
export function Button({ variant = 'secondary', small = false, className, type, ...rest }: ButtonProps) {
  const classes = ['button', `button--${variant}`, small ? 'button--small' : '', className ?? '']
    .filter(Boolean)
    .join(' ');
  return <button type={type ?? 'button'} className={classes} {...rest} />;
}
