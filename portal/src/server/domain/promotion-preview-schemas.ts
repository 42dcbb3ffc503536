/**
 * The promotion preview's response body (`GET /api/pipeline/promotion/preview`): what the execution waiting
 * at PromoteToProd changes in each prod stack. zod schemas for the same reason as `view-schemas.ts` (one
 * definition for the OpenAPI document, the contract test and the types).
 */
import { z } from 'zod';
import { costEstimateSchema, isoTime, list } from './view-schemas';

export const RESOURCE_CHANGE_KINDS = ['added', 'modified', 'replaced', 'removed'] as const;

export const previewPropertyChangeSchema = z
  .object({
    property: z.string(),
    /** The library's impact of this property's change (e.g. WILL_REPLACE). */
    impact: z.string().optional(),
    oldValue: z.string().optional().meta({ description: 'JSON of the deployed value (truncated)' }),
    newValue: z.string().optional().meta({ description: 'JSON of the value that will deploy (truncated)' }),
  })
  .meta({ id: 'PreviewPropertyChange' });

export const previewResourceChangeSchema = z
  .object({
    logicalId: z.string(),
    resourceType: z.string(),
    change: z.enum(RESOURCE_CHANGE_KINDS),
    /** `replaced` only: CloudFormation may (rather than will) replace it, depending on the values at deploy time. */
    conditional: z.boolean().optional(),
    stateful: z.boolean(),
    /** DeletionPolicy (removal) or UpdateReplacePolicy (replacement) keeps the physical resource. */
    retained: z.boolean(),
    properties: list(previewPropertyChangeSchema),
  })
  .meta({ id: 'PreviewResourceChange' });

export const iamStatementChangeSchema = z
  .object({
    change: z.enum(['added', 'removed']),
    widens: z.boolean(),
    effect: z.string(),
    actions: z.string(),
    resources: z.string(),
    principals: z.string(),
    condition: z.string().optional(),
  })
  .meta({ id: 'IamStatementChange' });

export const securityGroupRuleChangeSchema = z
  .object({
    change: z.enum(['added', 'removed']),
    direction: z.enum(['ingress', 'egress']),
    widens: z.boolean(),
    group: z.string(),
    protocol: z.string(),
    peer: z.string(),
  })
  .meta({ id: 'SecurityGroupRuleChange' });

export const nagDeltaEntrySchema = z
  .object({
    pack: z.string(),
    kind: z.enum(['error', 'warning', 'suppression']),
    change: z.enum(['appears', 'disappears']),
    ruleId: z.string(),
    resource: z.string(),
    findingId: z.string().optional(),
    detail: z.string().optional().meta({ description: "The finding's message or the suppression's reason" }),
  })
  .meta({ id: 'NagDeltaEntry' });

export const stackPreviewSchema = z
  .object({
    stackName: z.string(),
    environmentSuffix: z.string(),
    /** False when nothing deployed can be compared (first deploy, template unreadable): `unavailableReason`. */
    available: z.boolean(),
    unavailableReason: z.string().optional(),
    counts: z.object({
      added: z.number().int(),
      modified: z.number().int(),
      replaced: z.number().int(),
      removed: z.number().int(),
    }),
    resources: list(previewResourceChangeSchema),
    security: z.object({
      permissionsBroadened: z.boolean(),
      iamStatements: list(iamStatementChangeSchema),
      managedPolicies: list(
        z.object({ change: z.enum(['added', 'removed']), identity: z.string(), policy: z.string() }),
      ),
      securityGroupRules: list(securityGroupRuleChangeSchema),
    }),
    compliance: z.object({
      /** Both nag reports were readable: the delta is meaningful. */
      available: z.boolean(),
      /** Why there is no delta, when `available` is false. */
      reason: z.string().optional(),
      entries: list(nagDeltaEntrySchema),
    }),
    cost: z
      .object({
        deployed: costEstimateSchema.optional(),
        next: costEstimateSchema,
        deltaMonthlyUsd: z.number().optional(),
      })
      .optional(),
    flags: list(z.string()),
  })
  .meta({ id: 'StackPreview' });

export const promotionPreviewSchema = z
  .object({
    executionId: z.string(),
    computedAt: isoTime('When the preview was computed'),
    stacks: list(stackPreviewSchema),
    /** Stateful resources replaced or removed, or security widened: approval needs `confirmation` and `reason`. */
    flagged: z.boolean(),
    flags: list(z.string()),
    confirmationPhrase: z
      .string()
      .meta({ description: 'What the approver types when the preview is flagged' }),
  })
  .meta({
    id: 'PromotionPreview',
    description: 'What the execution waiting at PromoteToProd changes in prod.',
  });

export type PromotionPreview = z.infer<typeof promotionPreviewSchema>;
export type StackPreview = z.infer<typeof stackPreviewSchema>;
export type PreviewResourceChange = z.infer<typeof previewResourceChangeSchema>;
export type NagDeltaEntry = z.infer<typeof nagDeltaEntrySchema>;
