/**
 * Classifies AWS SDK v3 errors by what the caller should do about them, so handlers
 * do not compare error-name strings all over the place.
 */

export type AwsErrorKind = 'throttled' | 'access-denied' | 'not-found' | 'other';

const THROTTLING_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'SlowDown',
  'RequestThrottled',
  'ThrottledException',
]);
const ACCESS_DENIED_NAMES = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'AuthorizationError',
  'UnauthorizedOperation',
  'KMSAccessDeniedException',
  'InvalidAccessKeyId',
]);
const NOT_FOUND_NAMES = new Set([
  'NoSuchKey',
  'NotFound',
  'NoSuchBucket',
  'ResourceNotFoundException',
  'NoSuchEntity',
]);

export function classifyAwsError(error: unknown): AwsErrorKind {
  if (typeof error !== 'object' || error === null) return 'other';
  const name = (error as { name?: unknown }).name;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (typeof name === 'string') {
    if (THROTTLING_NAMES.has(name)) return 'throttled';
    if (ACCESS_DENIED_NAMES.has(name)) return 'access-denied';
    if (NOT_FOUND_NAMES.has(name)) return 'not-found';
  }
  if (status === 429 || status === 503) return 'throttled';
  if (status === 403) return 'access-denied';
  if (status === 404) return 'not-found';
  return 'other';
}

export interface FieldError {
  /** Dotted path of the offending field, `''` for the whole input. */
  readonly path: string;
  readonly message: string;
}

/** Input that failed validation: carries field-by-field errors for the caller. */
export class ValidationError extends Error {
  override readonly name = 'ValidationError';
  readonly fields: readonly FieldError[];
  constructor(message: string, fields: readonly FieldError[]) {
    super(
      fields.length > 0
        ? `${message}: ${fields.map((f) => `${f.path || '(root)'}: ${f.message}`).join('; ')}`
        : message,
    );
    this.fields = fields;
  }
}

/** Converts zod issues to field errors (works with zod 4's `error.issues`). */
export function zodFieldErrors(
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
): FieldError[] {
  return issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
}
