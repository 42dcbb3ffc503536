/**
 * Response bodies of the compliance, drift, pipeline and audit routes (see `view-schemas.ts` for
 * why they are zod schemas; split from it to keep each file readable).
 */
import { z } from 'zod';
import { AUDIT_ACTIONS } from './types';
import { isoTime, list, portalModeSchema } from './view-schemas';

// ---------------------------------------------------------------------------
// Compliance and drift

export const nagSuppressionSchema = z
  .object({ ruleId: z.string(), resource: z.string(), findingId: z.string().optional(), reason: z.string() })
  .meta({ id: 'NagSuppression' });

export const nagFindingSchema = z
  .object({
    ruleId: z.string(),
    resource: z.string(),
    findingId: z.string().optional(),
    message: z.string().optional(),
  })
  .meta({ id: 'NagFinding' });

export const nagPackSummarySchema = z
  .object({
    pack: z.string(),
    rulesChecked: z.number().int(),
    passed: z.number().int(),
    suppressed: list(nagSuppressionSchema),
    errors: list(nagFindingSchema),
    warnings: list(nagFindingSchema),
  })
  .meta({ id: 'NagPackSummary' });

export const configComplianceSchema = z
  .enum(['COMPLIANT', 'NON_COMPLIANT', 'NOT_APPLICABLE', 'INSUFFICIENT_DATA'])
  .meta({ id: 'ConfigCompliance' });

export const configRuleResultSchema = z
  .object({
    ruleName: z.string(),
    compliance: configComplianceSchema,
    nonCompliantResources: z.number().int().optional(),
  })
  .meta({ id: 'ConfigRuleResult' });

export const complianceReportSchema = z
  .object({
    environmentSuffix: z.string(),
    static: z.object({
      available: z.boolean().meta({ description: 'False until the stage has been synthesized' }),
      unavailableReason: z.string().optional(),
      generatedAt: z.string().optional(),
      packs: list(nagPackSummarySchema),
      totals: z.object({
        rulesChecked: z.number().int(),
        passed: z.number().int(),
        suppressed: z.number().int(),
        errors: z.number().int(),
      }),
    }),
    runtime: z.object({
      available: z.boolean().meta({ description: 'AWS Config results exist only in aws mode' }),
      unavailableReason: z.string().optional(),
      rules: list(configRuleResultSchema),
    }),
  })
  .meta({
    id: 'ComplianceReport',
    description: 'cdk-nag packs of the synthesized stage and AWS Config rules.',
  });

export const driftStatusSchema = z
  .enum(['IN_SYNC', 'DRIFTED', 'UNKNOWN', 'NOT_CHECKED'])
  .meta({ id: 'DriftStatus' });

export const driftReportSchema = z
  .object({
    environmentSuffix: z.string(),
    status: driftStatusSchema,
    detectedAt: isoTime('When drift was detected'),
    driftedResources: list(
      z.object({
        logicalResourceId: z.string(),
        resourceType: z.string(),
        driftStatus: z.enum(['MODIFIED', 'DELETED', 'NOT_CHECKED', 'IN_SYNC']),
        differences: list(
          z.object({
            propertyPath: z.string(),
            expected: z.string().optional(),
            actual: z.string().optional(),
          }),
        ),
      }),
    ),
    simulated: z.boolean(),
  })
  .meta({ id: 'DriftReport', description: 'CloudFormation drift detection result.' });

// ---------------------------------------------------------------------------
// Pipeline

export const pipelineStatusSchema = z
  .enum(['InProgress', 'Succeeded', 'Failed', 'Stopped', 'Superseded', 'Cancelled', 'NotStarted'])
  .meta({ id: 'PipelineStatus' });

export const pipelineActionViewSchema = z
  .object({
    name: z.string(),
    status: pipelineStatusSchema,
    lastChangedAt: isoTime('Last change').optional(),
    summary: z.string().optional(),
  })
  .meta({ id: 'PipelineActionView' });

export const pipelineStageViewSchema = z
  .object({
    name: z.string(),
    status: pipelineStatusSchema,
    actions: list(pipelineActionViewSchema),
    executionId: z.string().optional().meta({ description: "The execution the stage's status belongs to" }),
    startedAt: isoTime('When that execution entered the stage').optional(),
    finishedAt: isoTime('When it left the stage').optional(),
  })
  .meta({ id: 'PipelineStageView' });

export const pendingPromotionSchema = z
  .object({
    stageName: z.string(),
    actionName: z.string(),
    requestedAt: isoTime('Since when the approval waits'),
    executionId: z.string().meta({ description: 'Pass as executionId to POST /api/pipeline/promotion' }),
    sourceRevision: z.string().optional(),
    requestedBy: z
      .string()
      .optional()
      .meta({ description: 'Who asked for the change that waits, for people' }),
    requesters: list(z.string())
      .optional()
      .meta({ description: 'Each person whose change waits: none of them may decide its promotion' }),
    environments: list(z.string())
      .optional()
      .meta({ description: 'What the prod stage deploys once approved' }),
  })
  .meta({ id: 'PendingPromotion' });

export const pipelineExecutionSchema = z
  .object({
    executionId: z.string(),
    status: pipelineStatusSchema,
    startedAt: isoTime('Start').optional(),
    summary: z.string().optional().meta({ description: 'Why the execution ended as it did' }),
    trigger: z.string().optional(),
    consoleUrl: z.string().optional(),
  })
  .meta({ id: 'PipelineExecution' });

export const pipelineViewSchema = z
  .object({
    pipelineName: z.string(),
    mode: portalModeSchema,
    simulated: z.boolean(),
    stages: list(pipelineStageViewSchema),
    currentExecution: pipelineExecutionSchema.optional(),
    pendingPromotion: pendingPromotionSchema.optional(),
    environmentsPipeline: z
      .object({
        pipelineName: z.string(),
        stages: list(pipelineStageViewSchema),
        currentExecution: pipelineExecutionSchema.optional(),
      })
      .optional()
      .meta({ description: 'The pipeline that deploys ephemeral environments, when not the release one' }),
    canDecide: z.boolean().meta({ description: 'Whether the signed-in user may approve or reject' }),
  })
  .meta({
    id: 'PipelineView',
    description: 'The release pipeline: stages, current execution, pending promotion.',
  });

// ---------------------------------------------------------------------------
// Audit

export const auditEntrySchema = z
  .object({
    id: z.string(),
    timestamp: isoTime('When'),
    actor: z.string().meta({ description: 'User id, or `system` for transitions the portal observed' }),
    action: z.enum(AUDIT_ACTIONS),
    target: z.string(),
    outcome: z.enum(['success', 'failure', 'denied']),
    details: z.record(z.string(), z.string()).readonly(),
  })
  .meta({ id: 'AuditEntry' });

export const auditPageSchema = z
  .object({
    entries: list(auditEntrySchema),
    nextBefore: z.string().optional().meta({ description: 'Pass as `before` to read older entries' }),
  })
  .meta({ id: 'AuditPage', description: 'Audit entries, newest first.' });
