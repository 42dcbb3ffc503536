import type { EnvironmentSpec } from '@sep/spec';
import type { EnvironmentRecord, EnvironmentStatus, InvalidRegistryEntry } from './records';

export interface RegisterOptions {
  /** Re-validated before anything is written. */
  readonly spec: EnvironmentSpec;
  /** Identity of the requester (portal user, CI principal). */
  readonly requestedBy: string;
  /** @default new Date() */
  readonly now?: Date;
}

export interface UpdateStatusOptions {
  readonly environmentSuffix: string;
  readonly status: EnvironmentStatus;
  /** Omitted: any previous reason is cleared. */
  readonly statusReason?: string;
  /** When given, the write only happens if the record is still at this version. */
  readonly expectedVersion?: number;
  /** The environment stack's ID as the platform saw it. Omitted: unchanged; `null`: forgotten (stack deleted). */
  readonly stackId?: string | null;
  /** Automatic recreations of a rolled-back stack so far. Omitted: unchanged. */
  readonly recreations?: number;
  /** @default new Date() */
  readonly now?: Date;
}

export interface RemoveOptions {
  readonly environmentSuffix: string;
  /** When given, the delete only happens if the record is still at this version. */
  readonly expectedVersion?: number;
}

export interface ListOptions {
  /** Only records in this status. @default every status */
  readonly status?: EnvironmentStatus;
}

/** Everything stored: the valid records and, by suffix, the entries that failed re-validation. */
export interface RegistrySnapshot {
  readonly records: readonly EnvironmentRecord[];
  readonly invalid: readonly InvalidRegistryEntry[];
}

/** The environment registry: one implementation used by the pipeline synth, the portal and the sweeper. */
export interface EnvironmentRegistry {
  /** @throws SuffixTakenError, InvalidEnvironmentSpecError */
  register(options: RegisterOptions): Promise<EnvironmentRecord>;
  /** @throws InvalidEnvironmentRecordError when the stored entry no longer validates */
  get(options: { readonly environmentSuffix: string }): Promise<EnvironmentRecord | undefined>;
  /** Every valid record (invalid ones are reported through `onInvalidEntry` and skipped). */
  list(options?: ListOptions): Promise<EnvironmentRecord[]>;
  /** @throws EnvironmentNotFoundError, VersionConflictError */
  updateStatus(options: UpdateStatusOptions): Promise<EnvironmentRecord>;
  /** Idempotent: removing an absent entry is not an error. @throws VersionConflictError */
  remove(options: RemoveOptions): Promise<void>;
  /** Ephemeral records whose `expiresAt` is at or before `now`, except those already destroyed. */
  listExpired(options: { readonly now: Date }): Promise<EnvironmentRecord[]>;
}
