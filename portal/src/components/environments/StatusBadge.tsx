import type { EnvironmentStatus } from '../../server/domain/types';
import { Badge, type BadgeTone } from '../../ui';

const STATUS_STYLE: Record<
  EnvironmentStatus,
  { readonly tone: BadgeTone; readonly live: boolean; readonly label: string }
> = {
  requested: { tone: 'neutral', live: true, label: 'Requested' },
  synthesizing: { tone: 'info', live: true, label: 'Synthesizing' },
  deploying: { tone: 'info', live: true, label: 'Deploying' },
  ready: { tone: 'success', live: false, label: 'Ready' },
  destroying: { tone: 'warning', live: true, label: 'Destroying' },
  destroyed: { tone: 'neutral', live: false, label: 'Destroyed' },
  failed: { tone: 'danger', live: false, label: 'Failed' },
};

export interface StatusBadgeProps {
  readonly status: EnvironmentStatus;
  /** Stable hook for tests; the badge also carries `data-status`. */
  readonly testId?: string;
}

/** An environment's lifecycle status in words and colour; in-flight statuses pulse. */
export function StatusBadge({ status, testId }: StatusBadgeProps) {
  const style = STATUS_STYLE[status];
  return (
    <span data-status={status} data-testid={testId}>
      <Badge tone={style.tone} live={style.live}>
        {style.label}
      </Badge>
    </span>
  );
}
