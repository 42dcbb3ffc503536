export interface ProgressBarProps {
  /** Accessible name, e.g. "Deployment progress". */
  readonly label: string;
  /** Units done. */
  readonly value: number;
  /** Units in total; 0 means not known yet (indeterminate). */
  readonly max: number;
  /** What the numbers mean, read out instead of a bare percentage, e.g. "12 of 64 resources". */
  readonly valueText: string;
  /** @default 'info' */
  readonly tone?: 'info' | 'success' | 'danger';
  readonly testId?: string;
}

/** A determinate progress bar with a text equivalent. */
export function ProgressBar({ label, value, max, valueText, tone = 'info', testId }: ProgressBarProps) {
  const percent = max > 0 ? Math.min(100, Math.max(0, Math.round((value / max) * 100))) : 0;
  const toneClass = tone === 'info' ? '' : ` progress--${tone}`;
  return (
    <div className={`progress${toneClass}`}>
      <div className="progress__labels">
        <span>{label}</span>
        <span className="muted" data-testid={testId ? `${testId}-text` : undefined}>
          {valueText}
        </span>
      </div>
      <div
        className="progress__track"
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={max > 0 ? max : 100}
        aria-valuenow={max > 0 ? Math.min(value, max) : 0}
        aria-valuetext={valueText}
        data-testid={testId}
        data-percent={percent}
      >
        <div className="progress__fill" style={{ width: `${percent}%` }} />
      </div>
    </div>
  );
}
