/**
 * The portal's HTTP API view models: what every `/api/**` route returns and
 * what the browser consumes. The shapes are the zod schemas of
 * `view-schemas.ts` and `operations-view-schemas.ts` (`z.infer`), which the
 * OpenAPI document publishes; this file holds TYPES and string-literal
 * constants only, so client components may `import type` from it without
 * pulling server code into the bundle.
 */
import { ENVIRONMENT_STATUSES, type EnvironmentStatus } from '@sep/registry/statuses';
import type { EnvironmentKind, EnvironmentSpec, EnvironmentSpecInput, FieldError } from '@sep/spec';
import type { z } from 'zod';
import type {
  auditEntrySchema,
  auditPageSchema,
  complianceReportSchema,
  configComplianceSchema,
  configRuleResultSchema,
  driftReportSchema,
  driftStatusSchema,
  nagFindingSchema,
  nagPackSummarySchema,
  nagSuppressionSchema,
  pendingPromotionSchema,
  pipelineActionViewSchema,
  pipelineStageViewSchema,
  pipelineStatusSchema,
  pipelineViewSchema,
} from './operations-view-schemas';
import type { promotionDecisionSchema } from './requests';
import type {
  apiErrorSchema,
  consoleLinksSchema,
  costEstimateSchema,
  costLineSchema,
  demoUserSchema,
  deploymentEventSchema,
  deploymentFailureSchema,
  deploymentPhaseSchema,
  deploymentProgressSchema,
  environmentDetailSchema,
  environmentListSchema,
  environmentPermissionsSchema,
  environmentViewSchema,
  flatOutputsSchema,
  portalModeSchema,
  resourceTimelineEntrySchema,
  sessionSchema,
  stackOutputSchema,
  streamMessageSchema,
  suffixAvailabilitySchema,
  tokenResponseSchema,
  userSchema,
} from './view-schemas';

export type { EnvironmentKind, EnvironmentSpec, EnvironmentSpecInput, FieldError };

/** `local`: everything simulated on this machine; `aws`: real pipeline, stacks and Config. */
export type PortalMode = z.infer<typeof portalModeSchema>;

// ---------------------------------------------------------------------------
// Identity

export const ROLES = ['engineer', 'approver', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export type User = z.infer<typeof userSchema>;

/** `GET /api/auth/session`. */
export type Session = z.infer<typeof sessionSchema>;

/** `GET /api/auth/demo-users` (local mode only): who the sign-in page offers. */
export type DemoUser = z.infer<typeof demoUserSchema>;

/** `POST /api/auth/token` (local mode): a bearer token for scripts. */
export type TokenResponse = z.infer<typeof tokenResponseSchema>;

// ---------------------------------------------------------------------------
// Environments

export { ENVIRONMENT_STATUSES, type EnvironmentStatus };

/** Statuses in which the platform is still working (the UI keeps its live stream open). */
export const IN_FLIGHT_STATUSES: readonly EnvironmentStatus[] = [
  'requested',
  'synthesizing',
  'deploying',
  'destroying',
];

/**
 * Where a deployment is: the pipeline phase of the progress bar.
 * `queued` → `synthesizing` → `deploying` → `complete`, or `rolling-back` → `failed`;
 * destroy: `destroying` → `destroyed`.
 */
export type DeploymentPhase = z.infer<typeof deploymentPhaseSchema>;

export type DeploymentProgress = z.infer<typeof deploymentProgressSchema>;

/** One CloudFormation-shaped stack event. */
export type DeploymentEvent = z.infer<typeof deploymentEventSchema>;

/** One bar of the deployment timeline chart. */
export type ResourceTimelineEntry = z.infer<typeof resourceTimelineEntrySchema>;

/** Why a deployment failed: the first resource that failed and CloudFormation's reason. */
export type DeploymentFailure = z.infer<typeof deploymentFailureSchema>;

export type StackOutput = z.infer<typeof stackOutputSchema>;

export type CostLine = z.infer<typeof costLineSchema>;

export type CostEstimate = z.infer<typeof costEstimateSchema>;

/** A row of `GET /api/environments`. */
export type EnvironmentView = z.infer<typeof environmentViewSchema>;

export type EnvironmentPermissions = z.infer<typeof environmentPermissionsSchema>;

/** Where to look at the environment in the AWS console (aws mode only). */
export type ConsoleLinks = z.infer<typeof consoleLinksSchema>;

/** `GET /api/environments/{suffix}`. */
export type EnvironmentDetail = z.infer<typeof environmentDetailSchema>;

/** `GET /api/environments`: one page, ordered by suffix, and figures over every matching environment. */
export type EnvironmentList = z.infer<typeof environmentListSchema>;

/** `POST /api/environments` body: the shared spec minus `owner` (the session user is the owner). */
export type CreateEnvironmentRequest = Omit<EnvironmentSpecInput, 'owner'>;

/** `GET /api/suffix-availability?suffix=`. */
export type SuffixAvailability = z.infer<typeof suffixAvailabilitySchema>;

/** `POST /api/cost-estimate` body is a (partial) request; the answer is a CostEstimate. */
export type CostEstimateRequest = Partial<CreateEnvironmentRequest>;

/** `GET /api/environments/{suffix}/events` (text/event-stream) messages. */
export type StreamMessage = z.infer<typeof streamMessageSchema>;

// ---------------------------------------------------------------------------
// Compliance and drift

export type NagPackSummary = z.infer<typeof nagPackSummarySchema>;

export type NagSuppression = z.infer<typeof nagSuppressionSchema>;

export type NagFinding = z.infer<typeof nagFindingSchema>;

export type ConfigCompliance = z.infer<typeof configComplianceSchema>;

export type ConfigRuleResult = z.infer<typeof configRuleResultSchema>;

/** `GET /api/environments/{suffix}/compliance`. */
export type ComplianceReport = z.infer<typeof complianceReportSchema>;

export type DriftStatus = z.infer<typeof driftStatusSchema>;

/** `POST /api/environments/{suffix}/drift`. */
export type DriftReport = z.infer<typeof driftReportSchema>;

// ---------------------------------------------------------------------------
// Pipeline

export type PipelineStatus = z.infer<typeof pipelineStatusSchema>;

export type PipelineActionView = z.infer<typeof pipelineActionViewSchema>;

export type PipelineStageView = z.infer<typeof pipelineStageViewSchema>;

export type PendingPromotion = z.infer<typeof pendingPromotionSchema>;

/** `GET /api/pipeline`. */
export type PipelineView = z.infer<typeof pipelineViewSchema>;

/** `POST /api/pipeline/promotion` body. */
export type PromotionDecisionRequest = z.input<typeof promotionDecisionSchema>;

// ---------------------------------------------------------------------------
// Audit

export const AUDIT_ACTIONS = [
  'environment.requested',
  'environment.destroy-requested',
  'environment.retry-requested',
  'environment.status-changed',
  'environment.drift-checked',
  'promotion.approved',
  'promotion.rejected',
  'auth.signed-in',
  'auth.signed-out',
  'auth.token-issued',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export type AuditEntry = z.infer<typeof auditEntrySchema>;

/** `GET /api/audit?limit=&before=`. */
export type AuditPage = z.infer<typeof auditPageSchema>;

// ---------------------------------------------------------------------------
// Errors

export const API_ERROR_CODES = [
  'validation_failed',
  'unauthenticated',
  'forbidden',
  'not_found',
  'suffix_taken',
  'not_destroyable',
  'conflict',
  'payload_too_large',
  'unsupported_media_type',
  'method_not_allowed',
  'rate_limited',
  'misdirected_request',
  'upstream_unavailable',
  'internal',
] as const;
export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

/** Every non-2xx JSON answer. `fields` lists validation problems by dotted path. */
export type ApiError = z.infer<typeof apiErrorSchema>;

/** `GET /api/environments/{suffix}/outputs` (flat-outputs.json). */
export type FlatOutputs = z.infer<typeof flatOutputsSchema>;
