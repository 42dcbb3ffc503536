import {
  environmentSpecSchema,
  environmentSuffixSchema,
  parseEnvironmentSpec,
  type SpecParseResult,
} from '@sep/spec';
import { z } from 'zod';
import { ENVIRONMENT_STATUSES } from './types';

const { owner: _owner, ...requestShape } = environmentSpecSchema.in.shape;

/**
 * `POST /api/environments`: the shared spec's fields minus `owner` (the session
 * user owns what they request). Used for the OpenAPI document and the shape
 * check; the full shared schema (cross-field rules, defaults) validates the
 * spec once the owner is added, so client and server apply the same rules.
 */
export const createEnvironmentRequestSchema = z.strictObject(requestShape);

/** Validates a request body into a spec owned by `owner`, or field errors. */
export function parseCreateEnvironmentRequest(body: unknown, owner: string): SpecParseResult {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return { success: false, errors: [{ path: '(root)', message: 'the body must be a JSON object' }] };
  }
  if ('owner' in body) {
    return {
      success: false,
      errors: [{ path: 'owner', message: 'owner is set from your session; remove it from the request' }],
    };
  }
  return parseEnvironmentSpec({ ...body, owner });
}

/** `POST /api/cost-estimate`: the parts of a request that change the price; all optional. */
export const costEstimateRequestSchema = z.object({
  region: requestShape.region.optional(),
  features: requestShape.features.unwrap().partial().optional(),
  existingDatabaseSecretArn: z.string().optional(),
});

export const promotionDecisionSchema = z.strictObject({
  /**
   * The pipeline execution the approver reviewed (`pendingPromotion.executionId` of `GET /api/pipeline`):
   * the decision applies to that execution only, and is refused (409) when another one waits.
   */
  executionId: z
    .string({
      error: 'executionId is required: the pipeline execution you reviewed (pendingPromotion.executionId)',
    })
    .regex(/^[A-Za-z0-9-]{1,100}$/, { error: 'executionId must be a pipeline execution ID' }),
  decision: z.enum(['approve', 'reject'], { error: 'decision must be approve or reject' }),
  comment: z.string().max(1000, { error: 'comment must be at most 1000 characters' }).default(''),
  /**
   * A flagged promotion preview (stateful resources replaced or removed, security widened) is approved
   * only with the preview's `confirmationPhrase` typed here, and a reason; both are audited.
   */
  confirmation: z.string().max(200, { error: 'confirmation must be at most 200 characters' }).optional(),
  reason: z.string().max(1000, { error: 'reason must be at most 1000 characters' }).optional(),
});

export const signInSchema = z.strictObject({
  username: z
    .string({ error: 'username is required' })
    .trim()
    .min(1, { error: 'username is required' })
    .max(64),
  /** Where to go after a form sign-in; same-site paths only. */
  next: z
    .string()
    .regex(/^\/(?!\/)[^\s\\]*$/, { error: 'next must be a path on this site' })
    .optional(),
});

export const auditQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: z.string().max(200).optional(),
});

export const suffixQuerySchema = z.strictObject({ suffix: z.string().max(200) });

/** Environments per page of `GET /api/environments` when the caller does not say. */
export const DEFAULT_LIST_LIMIT = 100;

export const listQuerySchema = z.strictObject({
  status: z.enum(ENVIRONMENT_STATUSES).optional(),
  /** Page size; environments are ordered by suffix. */
  limit: z.coerce.number().int().min(1).max(1000).default(DEFAULT_LIST_LIMIT),
  /** The previous page's `nextCursor`: the page starts after this suffix. */
  cursor: environmentSuffixSchema.optional(),
});

export type ListQuery = z.output<typeof listQuerySchema>;

export { environmentSuffixSchema };
