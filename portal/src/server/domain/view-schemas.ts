/**
 * The portal's HTTP API response bodies as zod schemas: the one description of
 * what every `/api/**` route returns. `types.ts` derives the view-model types
 * from these (`z.infer`), the route handlers type their answers with them, and
 * `http/openapi.ts` publishes them, from which `@sep/client` generates its types.
 * Schemas are not parsed at runtime on the way out (the types already hold).
 */

import { ENVIRONMENT_STATUSES } from '@sep/registry/statuses';
import { environmentSpecSchema } from '@sep/spec';
import { z } from 'zod';
import { API_ERROR_CODES, ROLES } from './types';

/** An ISO-8601 timestamp, described. */
export const isoTime = (description: string) => z.string().meta({ description: `${description} (ISO-8601)` });
/** A read-only array (the view models never change once built). */
export const list = <T extends z.ZodType>(item: T) => z.array(item).readonly();

export const fieldErrorSchema = z
  .object({
    path: z.string().meta({ description: 'Dotted path of the offending field, e.g. `features.waf`' }),
    message: z.string(),
  })
  .meta({ id: 'FieldError' });

export const apiErrorSchema = z
  .object({
    error: z.object({
      code: z.enum(API_ERROR_CODES),
      message: z.string().meta({ description: 'What went wrong, in words for people' }),
      fields: list(fieldErrorSchema).optional().meta({ description: 'Validation problems by field' }),
    }),
  })
  .meta({
    id: 'ApiError',
    description: 'Every non-2xx JSON answer.',
    examples: [
      {
        error: {
          code: 'validation_failed',
          message: 'the request has invalid fields',
          fields: [
            { path: 'environmentSuffix', message: 'must be 3-20 lowercase letters, digits or dashes' },
          ],
        },
      },
    ],
  });

// ---------------------------------------------------------------------------
// Identity

export const portalModeSchema = z
  .enum(['local', 'aws'])
  .meta({ id: 'PortalMode', description: '`local`: simulated on this machine; `aws`: real AWS' });

export const userSchema = z
  .object({
    id: z
      .string()
      .meta({ description: 'Stable identity (demo user name, or OIDC sub/email); used as owner' }),
    name: z.string(),
    email: z.string().optional(),
    roles: list(z.enum(ROLES)),
  })
  .meta({ id: 'User' });

export const sessionSchema = z
  .object({
    user: userSchema,
    mode: portalModeSchema,
    expiresAt: isoTime('When the session ends'),
    can: z
      .object({
        requestEnvironment: z.boolean(),
        decidePromotion: z.boolean(),
        readAudit: z.boolean(),
      })
      .meta({ description: 'What this user may do anywhere (per-environment rights are on each view)' }),
  })
  .meta({
    id: 'Session',
    examples: [
      {
        user: { id: 'erin', name: 'Erin Engineer', roles: ['engineer'] },
        mode: 'local',
        expiresAt: '2026-12-05T18:00:00.000Z',
        can: { requestEnvironment: true, decidePromotion: false, readAudit: false },
      },
    ],
  });

export const demoUserSchema = z
  .object({ id: z.string(), name: z.string(), roles: list(z.enum(ROLES)), description: z.string() })
  .meta({ id: 'DemoUser' });

export const tokenResponseSchema = z
  .object({
    token: z.string(),
    tokenType: z.literal('Bearer'),
    expiresAt: isoTime('When the token stops working'),
    user: userSchema,
  })
  .meta({ id: 'TokenResponse', description: 'A bearer token for scripts (local mode).' });

// ---------------------------------------------------------------------------
// Environments

export const environmentStatusSchema = z.enum(ENVIRONMENT_STATUSES).meta({ id: 'EnvironmentStatus' });

export const deploymentPhaseSchema = z
  .enum([
    'queued',
    'synthesizing',
    'deploying',
    'complete',
    'rolling-back',
    'failed',
    'destroying',
    'destroyed',
  ])
  .meta({ id: 'DeploymentPhase', description: 'Where a deployment is: the phase of the progress bar' });

export const deploymentProgressSchema = z
  .object({
    phase: deploymentPhaseSchema,
    resourcesDone: z.number().int().meta({ description: 'Resources whose create (or delete) finished' }),
    resourcesTotal: z
      .number()
      .int()
      .meta({ description: "Resources in the stack's template; 0 until known" }),
    percent: z.number().meta({ description: '0-100, monotone within a phase' }),
    startedAt: isoTime('Start of the current phase').optional(),
    finishedAt: isoTime('End of the phase').optional(),
  })
  .meta({ id: 'DeploymentProgress' });

export const deploymentEventSchema = z
  .object({
    eventId: z.string(),
    stackName: z.string(),
    timestamp: isoTime('When it happened'),
    logicalResourceId: z.string(),
    physicalResourceId: z.string().optional(),
    resourceType: z.string().meta({ description: 'e.g. `AWS::S3::Bucket`' }),
    resourceStatus: z.string().meta({ description: 'e.g. `CREATE_COMPLETE`, `CREATE_FAILED`' }),
    resourceStatusReason: z.string().optional(),
  })
  .meta({ id: 'DeploymentEvent', description: 'One CloudFormation-shaped stack event.' });

export const resourceTimelineEntrySchema = z
  .object({
    logicalResourceId: z.string(),
    resourceType: z.string(),
    startedAt: isoTime('Start'),
    finishedAt: isoTime('End; absent while in progress').optional(),
    status: z.enum(['in-progress', 'complete', 'failed', 'cancelled']),
  })
  .meta({ id: 'ResourceTimelineEntry', description: 'One bar of the deployment timeline chart.' });

export const deploymentFailureSchema = z
  .object({ logicalResourceId: z.string(), resourceType: z.string(), reason: z.string() })
  .meta({
    id: 'DeploymentFailure',
    description: "Why a deployment failed: the first resource that failed and CloudFormation's reason.",
  });

export const stackOutputSchema = z
  .object({
    key: z.string(),
    value: z.string(),
    description: z.string().optional(),
    exportName: z.string().optional(),
  })
  .meta({ id: 'StackOutput' });

export const costLineSchema = z
  .object({
    item: z.string().meta({ description: 'Stable id of the price-table row, e.g. `networkFirewall`' }),
    label: z.string(),
    monthlyUsd: z.number(),
    feature: z
      .enum(['database', 'networkFirewall', 'waf', 'documentPipeline', 'guardDutyRemediation'])
      .optional()
      .meta({ description: 'The spec feature that turns this line on' }),
    basis: z.string().meta({ description: 'How the figure was computed, e.g. `3 AZ × $0.395/h × 730 h`' }),
  })
  .meta({ id: 'CostLine' });

export const costEstimateSchema = z
  .object({
    currency: z.literal('USD'),
    monthlyUsd: z.number(),
    lines: list(costLineSchema),
    priceTableAsOf: z.string().meta({ description: "The price table's `asOf` date" }),
    region: z.string(),
  })
  .meta({ id: 'CostEstimate', description: 'Monthly run rate from the documented price table.' });

export const environmentPermissionsSchema = z
  .object({
    canDestroy: z.boolean(),
    destroyBlockedReason: z.string().optional().meta({ description: 'Why not, when canDestroy is false' }),
    canRetry: z.boolean().meta({ description: 'May this user deploy this failed environment again?' }),
  })
  .meta({
    id: 'EnvironmentPermissions',
    description: 'What the signed-in user may do with this environment.',
  });

export const consoleLinksSchema = z
  .object({ stack: z.string(), pipelineExecutions: z.string() })
  .meta({ id: 'ConsoleLinks', description: 'Where to look in the AWS console (aws mode only).' });

const environmentViewShape = {
  environmentSuffix: z.string(),
  kind: environmentSpecSchema.in.shape.kind,
  owner: z.string(),
  project: z.string(),
  costCenter: z.string(),
  region: z.string(),
  dataClassification: z.string(),
  status: environmentStatusSchema,
  statusReason: z.string().optional(),
  requestedBy: z.string(),
  createdAt: isoTime('Requested at'),
  updatedAt: isoTime('Last change'),
  expiresAt: isoTime('When the TTL sweeper destroys it; ephemeral only').optional(),
  stackName: z.string(),
  monthlyCostUsd: z.number(),
  simulated: z.boolean().meta({ description: 'Status and outputs come from the local simulation' }),
  permissions: environmentPermissionsSchema,
};

export const environmentViewSchema = z
  .object(environmentViewShape)
  .meta({ id: 'EnvironmentView', description: 'A row of `GET /api/environments`.' });

export const environmentDetailSchema = z
  .object({
    ...environmentViewShape,
    spec: environmentSpecSchema.in.meta({ id: 'EnvironmentSpec', description: 'The validated spec' }),
    progress: deploymentProgressSchema,
    events: list(deploymentEventSchema).meta({ description: 'Newest last; at most the latest 200' }),
    timeline: list(resourceTimelineEntrySchema),
    outputs: list(stackOutputSchema).meta({
      description: 'Empty until the stack is deployed; never holds secret values',
    }),
    outputsWarning: z.string().optional().meta({ description: 'Why the outputs need care' }),
    failure: deploymentFailureSchema.optional(),
    cost: costEstimateSchema,
    links: consoleLinksSchema.optional(),
  })
  .meta({ id: 'EnvironmentDetail', description: 'One environment with its progress, events and outputs.' });

export const environmentListSchema = z
  .object({
    mode: portalModeSchema,
    environments: list(environmentViewSchema),
    total: z.number().int().meta({ description: 'Matching environments on all pages' }),
    summary: z.object({
      active: z.number().int(),
      destroyed: z.number().int(),
      monthlyCostUsd: z.number(),
    }),
    nextCursor: z.string().optional().meta({ description: 'Pass as `cursor` for the next page' }),
  })
  .meta({ id: 'EnvironmentList', description: 'One page, ordered by suffix, and figures over every match.' });

export const flatOutputsSchema = z.record(z.string(), z.string()).meta({
  id: 'FlatOutputs',
  description: "The deployed stack's outputs as one flat `{ OutputKey: value }` object (flat-outputs.json).",
  examples: [{ ApiUrl: 'https://abc123.execute-api.us-east-1.amazonaws.com/prod/' }],
});

export const suffixAvailabilitySchema = z
  .object({
    suffix: z.string(),
    available: z.boolean(),
    reason: z.enum(['invalid', 'taken']).optional(),
    errors: list(fieldErrorSchema).optional(),
  })
  .meta({ id: 'SuffixAvailability', description: 'Available, or invalid/taken with reasons.' });

export const streamMessageSchema = z
  .discriminatedUnion('type', [
    z.object({
      type: z.literal('snapshot'),
      status: environmentStatusSchema,
      statusReason: z.string().optional(),
      progress: deploymentProgressSchema,
      failure: deploymentFailureSchema.optional(),
      outputsAvailable: z.boolean(),
    }),
    z.object({ type: z.literal('events'), events: list(deploymentEventSchema) }),
    z.object({ type: z.literal('error'), message: z.string(), retryInMs: z.number() }),
  ])
  .meta({
    id: 'StreamMessage',
    description:
      'A message of `GET /api/environments/{suffix}/events` (text/event-stream): `snapshot` first and on every change, `events` not sent before, `error` while the server retries.',
  });
