import type { AuditDetailValue } from '../../shared/audit';

/**
 * What a remediator learned by reading the resource, before anything is changed. The
 * orchestrator checks `tags` against the environment, then calls `apply` only when the
 * resource exists, is ours, still needs the change and DRY_RUN is off.
 */
export interface Inspection {
  /** The audit action, e.g. `deactivate-access-key`. */
  readonly action: string;
  /** The audit entity (an ARN). */
  readonly entity: string;
  /** The tags read from the resource itself (any shape `normalizeTags` accepts). */
  readonly tags: unknown;
  readonly state: 'needs-change' | 'already-remediated' | 'missing';
  /** One sentence for the notification: what was, or would be, done. */
  readonly summary: string;
  /** Facts for the audit entry, including what is needed to reverse the change. */
  readonly details: { readonly [key: string]: AuditDetailValue };
  /** Performs the change. */
  readonly apply: () => Promise<void>;
}

export interface ArnContext {
  readonly partition: string;
  readonly account: string;
  readonly region: string;
}
