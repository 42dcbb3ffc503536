import { type EnvironmentSpec, type FieldError, parseEnvironmentSpec, toFieldErrors } from '@sep/spec';
import { z } from 'zod';

import { ENVIRONMENT_STATUSES, type EnvironmentStatus } from './statuses';

export { ENVIRONMENT_STATUSES, type EnvironmentStatus };

export interface EnvironmentRecord {
  readonly environmentSuffix: string;
  /** The validated spec, every default applied. */
  readonly spec: EnvironmentSpec;
  readonly status: EnvironmentStatus;
  /** Why the record reached its status (failure message, who asked for a destroy…). */
  readonly statusReason?: string;
  readonly requestedBy: string;
  /** ISO-8601. */
  readonly createdAt: string;
  /** ISO-8601. */
  readonly updatedAt: string;
  /** ISO-8601, ephemeral only: createdAt + ttlHours. */
  readonly expiresAt?: string;
  /** Starts at 1, +1 on every write: the optimistic-locking token. */
  readonly version: number;
  /**
   * The environment stack's ID (its ARN: account and region included) once the platform has seen the
   * stack. The teardown looks the stack up by this ID, so a stack it cannot find there is an error to
   * investigate, never "already gone".
   */
  readonly stackId?: string;
  /** How many times a rolled-back stack of this entry was deleted to be created afresh. @default 0 */
  readonly recreations?: number;
}

/** A stored entry that failed re-validation, reported by suffix. */
export interface InvalidRegistryEntry {
  readonly environmentSuffix: string;
  readonly errors: readonly FieldError[];
}

export type RecordParseResult =
  | { readonly success: true; readonly record: EnvironmentRecord }
  | { readonly success: false; readonly invalid: InvalidRegistryEntry };

const isoTimestamp = z.iso.datetime({ offset: true, error: 'must be an ISO-8601 timestamp' });

const storedRecordSchema = z.object({
  environmentSuffix: z.string({ error: 'environmentSuffix is required' }).min(1),
  spec: z.unknown(),
  status: z.enum(ENVIRONMENT_STATUSES, { error: `status must be one of ${ENVIRONMENT_STATUSES.join(', ')}` }),
  statusReason: z.string().optional(),
  requestedBy: z.string({ error: 'requestedBy is required' }).min(1, { error: 'requestedBy is required' }),
  createdAt: isoTimestamp,
  updatedAt: isoTimestamp,
  expiresAt: isoTimestamp.optional(),
  version: z.number({ error: 'version must be a number' }).int().min(1),
  stackId: z
    .string()
    .regex(/^arn:aws[a-z-]*:cloudformation:[a-z0-9-]+:\d{12}:stack\/[\w-]+\/[\w-]+$/, {
      error: 'stackId must be a CloudFormation stack ARN',
    })
    .optional(),
  recreations: z.number().int().min(0).optional(),
});

/**
 * Re-validates a stored item: the record envelope, then the spec through the
 * shared schema (which may have tightened since the item was written), then
 * that the spec's suffix is the key it is stored under.
 */
export function parseStoredRecord(item: Record<string, unknown>): RecordParseResult {
  const suffix = typeof item.environmentSuffix === 'string' ? item.environmentSuffix : '(missing suffix)';
  const envelope = storedRecordSchema.safeParse(item);
  if (!envelope.success) {
    return { success: false, invalid: { environmentSuffix: suffix, errors: toFieldErrors(envelope.error) } };
  }
  const spec = parseEnvironmentSpec(envelope.data.spec);
  if (!spec.success) {
    const errors = spec.errors.map((error) => ({ path: `spec.${error.path}`, message: error.message }));
    return { success: false, invalid: { environmentSuffix: suffix, errors } };
  }
  if (spec.spec.environmentSuffix !== envelope.data.environmentSuffix) {
    return {
      success: false,
      invalid: {
        environmentSuffix: suffix,
        errors: [
          {
            path: 'spec.environmentSuffix',
            message: `is "${spec.spec.environmentSuffix}" but the entry is stored under "${suffix}"`,
          },
        ],
      },
    };
  }
  const { statusReason, expiresAt, stackId, recreations, ...rest } = envelope.data;
  return {
    success: true,
    record: {
      ...rest,
      spec: spec.spec,
      ...(statusReason === undefined ? {} : { statusReason }),
      ...(expiresAt === undefined ? {} : { expiresAt }),
      ...(stackId === undefined ? {} : { stackId }),
      ...(recreations === undefined ? {} : { recreations }),
    },
  };
}

/** createdAt + ttlHours for ephemeral environments; persistent ones never expire. */
export function expiryFor(spec: EnvironmentSpec, createdAt: Date): string | undefined {
  if (spec.kind !== 'ephemeral' || spec.ttlHours === undefined) return undefined;
  return new Date(createdAt.getTime() + spec.ttlHours * 3_600_000).toISOString();
}
