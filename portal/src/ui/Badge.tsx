import type { ReactNode } from 'react';

export type BadgeTone = 'neutral' | 'info' | 'success' | 'warning' | 'danger';

export interface BadgeProps {
  /** @default 'neutral' */
  readonly tone?: BadgeTone;
  /** Shows a pulsing dot: the state is still changing. @default false */
  readonly live?: boolean;
  readonly children: ReactNode;
  /** Stable hook for tests. */
  readonly testId?: string;
}

/** A short status label. The colour is never the only signal: the text says the same thing. */
export function Badge({ tone = 'neutral', live = false, children, testId }: BadgeProps) {
  return (
    <span className={`badge badge--${tone}${live ? ' badge--live' : ''}`} data-testid={testId}>
      {live ? <span className="badge__dot" aria-hidden="true" /> : null}
      {children}
    </span>
  );
}
