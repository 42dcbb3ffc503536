/**
 * The portal's HTTP API view models: what every `/api/**` route returns and
 * what the browser consumes. This file holds TYPES and string-literal
 * constants only, so client components may `import type` from it without
 * pulling server code into the bundle.
 */
import type { EnvironmentKind, EnvironmentSpec, EnvironmentSpecInput, FieldError } from '@sep/infra/spec';
import { ENVIRONMENT_STATUSES, type EnvironmentStatus } from '@sep/pipeline/statuses';

export type { EnvironmentKind, EnvironmentSpec, EnvironmentSpecInput, FieldError };

/** `local`: everything simulated on this machine; `aws`: real pipeline, stacks and Config. */
export type PortalMode = 'local' | 'aws';

// ---------------------------------------------------------------------------
// Identity

export const ROLES = ['engineer', 'approver', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface User {
  /** Stable identity: the demo user name locally, the OIDC `sub`/email in aws mode. Used as `owner`. */
  readonly id: string;
  readonly name: string;
  readonly email?: string;
  readonly roles: readonly Role[];
}

/** `GET /api/auth/session`. */
export interface Session {
  readonly user: User;
  readonly mode: PortalMode;
  /** ISO-8601. */
  readonly expiresAt: string;
  /** What this user may do anywhere (per-environment rights are on each view). */
  readonly can: {
    readonly requestEnvironment: boolean;
    readonly decidePromotion: boolean;
    readonly readAudit: boolean;
  };
}

/** `GET /api/auth/demo-users` (local mode only): who the sign-in page offers. */
export interface DemoUser {
  readonly id: string;
  readonly name: string;
  readonly roles: readonly Role[];
  readonly description: string;
}

/** `POST /api/auth/token` (local mode): a bearer token for scripts. */
export interface TokenResponse {
  readonly token: string;
  readonly tokenType: 'Bearer';
  /** ISO-8601. */
  readonly expiresAt: string;
  readonly user: User;
}

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
export type DeploymentPhase =
  | 'queued'
  | 'synthesizing'
  | 'deploying'
  | 'complete'
  | 'rolling-back'
  | 'failed'
  | 'destroying'
  | 'destroyed';

export interface DeploymentProgress {
  readonly phase: DeploymentPhase;
  /** Resources whose create (or delete, when destroying) finished. */
  readonly resourcesDone: number;
  /** Resources in the stack's template; 0 until the template is known (synth not finished). */
  readonly resourcesTotal: number;
  /** 0-100, monotone within a phase. */
  readonly percent: number;
  /** ISO-8601 start of the current phase, when known. */
  readonly startedAt?: string;
  /** ISO-8601, once the phase ended. */
  readonly finishedAt?: string;
}

/** One CloudFormation-shaped stack event. */
export interface DeploymentEvent {
  readonly eventId: string;
  readonly stackName: string;
  /** ISO-8601. */
  readonly timestamp: string;
  readonly logicalResourceId: string;
  readonly physicalResourceId?: string;
  /** e.g. `AWS::S3::Bucket`, `AWS::CloudFormation::Stack`. */
  readonly resourceType: string;
  /** e.g. `CREATE_IN_PROGRESS`, `CREATE_COMPLETE`, `CREATE_FAILED`, `ROLLBACK_COMPLETE`. */
  readonly resourceStatus: string;
  readonly resourceStatusReason?: string;
}

/** One bar of the deployment timeline chart. */
export interface ResourceTimelineEntry {
  readonly logicalResourceId: string;
  readonly resourceType: string;
  /** ISO-8601. */
  readonly startedAt: string;
  /** ISO-8601; absent while in progress. */
  readonly finishedAt?: string;
  readonly status: 'in-progress' | 'complete' | 'failed' | 'cancelled';
}

/** Why a deployment failed: the first resource that failed and CloudFormation's reason. */
export interface DeploymentFailure {
  readonly logicalResourceId: string;
  readonly resourceType: string;
  readonly reason: string;
}

export interface StackOutput {
  readonly key: string;
  readonly value: string;
  readonly description?: string;
  readonly exportName?: string;
}

export interface CostLine {
  /** Stable id of the price-table row, e.g. `networkFirewall`. */
  readonly item: string;
  readonly label: string;
  readonly monthlyUsd: number;
  /** The spec feature that turns this line on, when one does. */
  readonly feature?: 'database' | 'networkFirewall' | 'waf' | 'documentPipeline' | 'guardDutyRemediation';
  /** How the figure was computed, e.g. `3 AZ × $0.395/h × 730 h`. */
  readonly basis: string;
}

export interface CostEstimate {
  readonly currency: 'USD';
  readonly monthlyUsd: number;
  readonly lines: readonly CostLine[];
  /** The price table's `asOf` date: prices are list prices for us-east-1 adjusted by a region factor. */
  readonly priceTableAsOf: string;
  readonly region: string;
}

/** A row of `GET /api/environments`. */
export interface EnvironmentView {
  readonly environmentSuffix: string;
  readonly kind: EnvironmentKind;
  readonly owner: string;
  readonly project: string;
  readonly costCenter: string;
  readonly region: string;
  readonly dataClassification: string;
  readonly status: EnvironmentStatus;
  readonly statusReason?: string;
  readonly requestedBy: string;
  /** ISO-8601. */
  readonly createdAt: string;
  /** ISO-8601. */
  readonly updatedAt: string;
  /** ISO-8601; ephemeral only. */
  readonly expiresAt?: string;
  readonly stackName: string;
  readonly monthlyCostUsd: number;
  /** True when status/outputs come from the local simulation rather than AWS. */
  readonly simulated: boolean;
  /** What the signed-in user may do with this environment. */
  readonly permissions: EnvironmentPermissions;
}

export interface EnvironmentPermissions {
  readonly canDestroy: boolean;
  /** Why not, when `canDestroy` is false (shown as a tooltip). */
  readonly destroyBlockedReason?: string;
  /** May this user deploy this failed environment again (`POST /api/environments/{suffix}/retry`)? */
  readonly canRetry: boolean;
}

/** Where to look at the environment in the AWS console (aws mode only). */
export interface ConsoleLinks {
  /** The stack in the CloudFormation console, in the environment's region. */
  readonly stack: string;
  /** The delivery pipeline's execution history in the CodePipeline console. */
  readonly pipelineExecutions: string;
}

/** `GET /api/environments/{suffix}`. */
export interface EnvironmentDetail extends EnvironmentView {
  readonly spec: EnvironmentSpec;
  readonly progress: DeploymentProgress;
  /** Newest last; at most the latest 200. */
  readonly events: readonly DeploymentEvent[];
  readonly timeline: readonly ResourceTimelineEntry[];
  /** Empty until the stack is deployed. Never holds secret values (API key ID only). */
  readonly outputs: readonly StackOutput[];
  /** Why the outputs need care, e.g. an update rolled back: they are the previous, still running version's. */
  readonly outputsWarning?: string;
  readonly failure?: DeploymentFailure;
  readonly cost: CostEstimate;
  /** aws mode: console links to the stack and the pipeline. */
  readonly links?: ConsoleLinks;
}

/** `GET /api/environments`: one page, ordered by suffix, and figures over every matching environment. */
export interface EnvironmentList {
  readonly mode: PortalMode;
  readonly environments: readonly EnvironmentView[];
  /** Matching environments on all pages. */
  readonly total: number;
  /** Over all pages: environments not destroyed, destroyed ones, and the monthly estimate of the former. */
  readonly summary: {
    readonly active: number;
    readonly destroyed: number;
    readonly monthlyCostUsd: number;
  };
  /** Pass as `cursor` for the next page; absent on the last page. */
  readonly nextCursor?: string;
}

/** `POST /api/environments` body: the shared spec minus `owner` (the session user is the owner). */
export type CreateEnvironmentRequest = Omit<EnvironmentSpecInput, 'owner'>;

/** `GET /api/suffix-availability?suffix=`. */
export interface SuffixAvailability {
  readonly suffix: string;
  readonly available: boolean;
  /** `invalid` (see `errors`), `taken`, or absent when available. */
  readonly reason?: 'invalid' | 'taken';
  readonly errors?: readonly FieldError[];
}

/** `POST /api/cost-estimate` body is a (partial) request; the answer is a CostEstimate. */
export type CostEstimateRequest = Partial<CreateEnvironmentRequest>;

/** `GET /api/environments/{suffix}/events` (text/event-stream) messages. */
export type StreamMessage =
  /** event: `snapshot` — sent first and whenever status/progress changes. */
  | {
      readonly type: 'snapshot';
      readonly status: EnvironmentStatus;
      readonly statusReason?: string;
      readonly progress: DeploymentProgress;
      readonly failure?: DeploymentFailure;
      readonly outputsAvailable: boolean;
    }
  /** event: `events` — stack events not sent before, oldest first. */
  | { readonly type: 'events'; readonly events: readonly DeploymentEvent[] }
  /** event: `error` — the upstream poll failed; the server retries with backoff. */
  | { readonly type: 'error'; readonly message: string; readonly retryInMs: number };

// ---------------------------------------------------------------------------
// Compliance and drift

export interface NagPackSummary {
  readonly pack: string;
  readonly rulesChecked: number;
  readonly passed: number;
  readonly suppressed: readonly NagSuppression[];
  readonly errors: readonly NagFinding[];
  readonly warnings: readonly NagFinding[];
}

export interface NagSuppression {
  readonly ruleId: string;
  readonly resource: string;
  readonly findingId?: string;
  readonly reason: string;
}

export interface NagFinding {
  readonly ruleId: string;
  readonly resource: string;
  readonly findingId?: string;
  readonly message?: string;
}

export type ConfigCompliance = 'COMPLIANT' | 'NON_COMPLIANT' | 'NOT_APPLICABLE' | 'INSUFFICIENT_DATA';

export interface ConfigRuleResult {
  readonly ruleName: string;
  readonly compliance: ConfigCompliance;
  /** Count of non-compliant resources when Config reports one. */
  readonly nonCompliantResources?: number;
}

/** `GET /api/environments/{suffix}/compliance`. */
export interface ComplianceReport {
  readonly environmentSuffix: string;
  readonly static: {
    /** False until the stage has been synthesized (or when the report is missing). */
    readonly available: boolean;
    /** Why not, when more can be said than "not synthesized yet" (e.g. aws mode: the report could not be read). */
    readonly unavailableReason?: string;
    readonly generatedAt?: string;
    readonly packs: readonly NagPackSummary[];
    readonly totals: {
      readonly rulesChecked: number;
      readonly passed: number;
      readonly suppressed: number;
      readonly errors: number;
    };
  };
  readonly runtime: {
    /** AWS Config results exist only in aws mode. */
    readonly available: boolean;
    /** Why not, e.g. `local mode: AWS Config is not simulated`. */
    readonly unavailableReason?: string;
    readonly rules: readonly ConfigRuleResult[];
  };
}

export type DriftStatus = 'IN_SYNC' | 'DRIFTED' | 'UNKNOWN' | 'NOT_CHECKED';

/** `POST /api/environments/{suffix}/drift`. */
export interface DriftReport {
  readonly environmentSuffix: string;
  readonly status: DriftStatus;
  /** ISO-8601. */
  readonly detectedAt: string;
  readonly driftedResources: readonly {
    readonly logicalResourceId: string;
    readonly resourceType: string;
    readonly driftStatus: 'MODIFIED' | 'DELETED' | 'NOT_CHECKED' | 'IN_SYNC';
    readonly differences: readonly {
      readonly propertyPath: string;
      readonly expected?: string;
      readonly actual?: string;
    }[];
  }[];
  readonly simulated: boolean;
}

// ---------------------------------------------------------------------------
// Pipeline

export type PipelineStatus =
  | 'InProgress'
  | 'Succeeded'
  | 'Failed'
  | 'Stopped'
  | 'Superseded'
  | 'Cancelled'
  | 'NotStarted';

export interface PipelineActionView {
  readonly name: string;
  readonly status: PipelineStatus;
  /** ISO-8601. */
  readonly lastChangedAt?: string;
  readonly summary?: string;
}

export interface PipelineStageView {
  readonly name: string;
  readonly status: PipelineStatus;
  readonly actions: readonly PipelineActionView[];
  /** The execution the stage's status belongs to (each stage shows the latest execution that entered it). */
  readonly executionId?: string;
  /** ISO-8601: when that execution entered the stage. */
  readonly startedAt?: string;
  /** ISO-8601: when it left the stage. */
  readonly finishedAt?: string;
}

export interface PendingPromotion {
  readonly stageName: string;
  readonly actionName: string;
  /** ISO-8601: since when the approval waits (never before its execution started). */
  readonly requestedAt: string;
  readonly executionId: string;
  /** The source revision the execution deploys, when the platform reports one. */
  readonly sourceRevision?: string;
  /** Who started the execution (the request that triggered it), when the platform knows. */
  readonly requestedBy?: string;
  /** The environments the prod stage deploys once approved (filled in by the service from the registry). */
  readonly environments?: readonly string[];
}

/** `GET /api/pipeline`. */
export interface PipelineView {
  readonly pipelineName: string;
  readonly mode: PortalMode;
  readonly simulated: boolean;
  readonly stages: readonly PipelineStageView[];
  readonly currentExecution?: {
    readonly executionId: string;
    readonly status: PipelineStatus;
    /** ISO-8601. */
    readonly startedAt?: string;
    /** Why the execution ended as it did (superseded, cancelled by a pipeline update, …). */
    readonly summary?: string;
    /** What started it. */
    readonly trigger?: string;
    /** aws mode: the execution in the CodePipeline console. */
    readonly consoleUrl?: string;
  };
  readonly pendingPromotion?: PendingPromotion;
  /**
   * The pipeline that deploys the ephemeral environments (and self-mutates on every registry write),
   * when it is not the one above: the view above is the release pipeline's (staging, PromoteToProd, prod).
   */
  readonly environmentsPipeline?: {
    readonly pipelineName: string;
    readonly stages: readonly PipelineStageView[];
    readonly currentExecution?: PipelineView['currentExecution'];
  };
  /** Whether the signed-in user may approve or reject. */
  readonly canDecide: boolean;
}

/** `POST /api/pipeline/promotion` body. */
export interface PromotionDecisionRequest {
  /** The execution the approver reviewed (`pendingPromotion.executionId`); another one waiting is refused (409). */
  readonly executionId: string;
  readonly decision: 'approve' | 'reject';
  /** Shown in the pipeline's approval history. @default '' */
  readonly comment?: string;
}

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

export interface AuditEntry {
  readonly id: string;
  /** ISO-8601. */
  readonly timestamp: string;
  /** User id, or `system` for lifecycle transitions the portal observed. */
  readonly actor: string;
  readonly action: AuditAction;
  /** Environment suffix, pipeline name… */
  readonly target: string;
  readonly outcome: 'success' | 'failure' | 'denied';
  readonly details: Readonly<Record<string, string>>;
}

/** `GET /api/audit?limit=&before=`. */
export interface AuditPage {
  readonly entries: readonly AuditEntry[];
  /** Pass as `before` to read older entries. */
  readonly nextBefore?: string;
}

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
export interface ApiError {
  readonly error: {
    readonly code: ApiErrorCode;
    readonly message: string;
    readonly fields?: readonly FieldError[];
  };
}
