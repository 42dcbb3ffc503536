import { z } from 'zod';
import { MAX_SUFFIX_LENGTH } from './physical-names';
import { DEFAULT_REGION, SUPPORTED_REGIONS } from './regions';

/**
 * The contract between the portal form, the portal API, the registry, the
 * pipeline and the stage. This module must never import aws-cdk-lib: the
 * portal bundles it for the browser.
 */

export const ENVIRONMENT_KINDS = ['ephemeral', 'staging', 'prod'] as const;
export type EnvironmentKind = (typeof ENVIRONMENT_KINDS)[number];

export const DATA_CLASSIFICATIONS = ['public', 'internal', 'confidential', 'restricted'] as const;
export type DataClassification = (typeof DATA_CLASSIFICATIONS)[number];

export const COMPLIANCE_LEVELS = ['pci-dss', 'soc2', 'pci-dss-soc2'] as const;
export type ComplianceLevel = (typeof COMPLIANCE_LEVELS)[number];

export const API_ENDPOINT_TYPES = ['REGIONAL', 'PRIVATE'] as const;
export type ApiEndpointType = (typeof API_ENDPOINT_TYPES)[number];

/**
 * Words an ephemeral environment may not use as its suffix or as one of the
 * hyphen-separated parts of it: they name the persistent environments and the
 * delivery machinery, and an `pr-prod-fix` next to `prod` invites mistakes.
 */
export const RESERVED_SUFFIX_WORDS = [
  'prod',
  'production',
  'staging',
  'stage',
  'pipeline',
  'admin',
  'root',
  'aws',
  'default',
  'shared',
  'security',
  'account',
  'portal',
  'registry',
] as const;

/**
 * Whole suffixes no environment of any kind may have: the portal's own pages and API routes beside
 * `/environments/<suffix>` (`/environments/new`, `/environments/compare`) would shadow it, so an
 * environment by that name could never be opened. The portal's tests keep this list and its routes in step.
 */
export const ROUTE_NAME_SUFFIXES = ['new', 'compare'] as const;

/** Hours an ephemeral environment lives when the request does not say. */
export const DEFAULT_TTL_HOURS = 72;
/** Two weeks: long enough for a feature branch, short enough to bound cost and exposure. */
export const MAX_TTL_HOURS = 336;

/** Widest CIDR accepted for human-assumable roles: anything wider is not a network boundary. */
export const MIN_CIDR_PREFIX = 8;
export const DEFAULT_ALLOWED_CIDRS = ['10.0.0.0/8'];
export const MAX_ALERT_EMAILS = 10;

const SUFFIX_PATTERN = /^[a-z](?:[a-z0-9]|-(?=[a-z0-9]))*$/;

export const environmentSuffixSchema = z
  .string({ error: 'environmentSuffix is required' })
  .min(2, { error: 'environmentSuffix must be at least 2 characters' })
  .max(MAX_SUFFIX_LENGTH, {
    error: `environmentSuffix must be at most ${MAX_SUFFIX_LENGTH} characters (the longest that fits every AWS name the stage builds)`,
  })
  .regex(SUFFIX_PATTERN, { error: (issue) => describeSuffixProblem(String(issue.input)) });

function describeSuffixProblem(value: string): string {
  if (/[A-Z]/.test(value)) return 'environmentSuffix must be lowercase';
  if (!/^[a-z]/.test(value)) return 'environmentSuffix must start with a lowercase letter';
  if (value.includes('--')) return 'environmentSuffix must not contain consecutive hyphens';
  if (value.endsWith('-')) return 'environmentSuffix must not end with a hyphen';
  return 'environmentSuffix may contain only lowercase letters, digits and single hyphens';
}

const IPV4_CIDR =
  /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}\/(3[0-2]|[12]?\d)$/;

const cidrSchema = z
  .string()
  .regex(IPV4_CIDR, { error: 'must be an IPv4 CIDR such as 10.20.0.0/16', abort: true })
  .refine((cidr) => Number(cidr.split('/')[1]) >= MIN_CIDR_PREFIX, {
    error: `must be /${MIN_CIDR_PREFIX} or narrower (0.0.0.0/0 and other wide ranges are refused)`,
  });

const SECRET_ARN =
  /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}$/;

/** IAM's rule for `sts:ExternalId`: 2 to 1224 characters of `[\w+=,.@:/-]`. */
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;

/** The cross-account auditor (seed 002): read-only role, assumable only with this external ID. */
export const crossAccountAuditorSchema = z.strictObject({
  accountId: z.string().regex(/^\d{12}$/, { error: 'accountId must be a 12-digit AWS account ID' }),
  externalId: z.string().regex(EXTERNAL_ID, {
    error: 'externalId must be 2 to 1224 characters of letters, digits and _ + = , . @ : / -',
  }),
});

/** Features a staging or prod environment may not switch off (controls auditors expect in production). */
export const REQUIRED_PERSISTENT_FEATURES = ['waf', 'guardDutyRemediation'] as const;

const tagValue = (field: string) =>
  z
    .string({ error: `${field} is required` })
    .trim()
    .min(1, { error: `${field} is required` })
    .max(256, { error: `${field} must be at most 256 characters (AWS tag value limit)` })
    .regex(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u, {
      error: `${field} may contain only letters, digits, spaces and _ . : / = + - @ (AWS tag value rules)`,
    });

export const featuresSchema = z.strictObject({
  /** Aurora MySQL Serverless v2 with TLS enforced. Off by default: it dominates cost. */
  database: z.boolean().default(false),
  /** AWS Network Firewall inspecting workload egress. Off by default: ~$0.395/h per AZ. */
  networkFirewall: z.boolean().default(false),
  /** WAFv2 web ACL on the API. */
  waf: z.boolean().default(true),
  /** The seed-003 document flow (validate, encrypt, scan). */
  documentPipeline: z.boolean().default(true),
  /** EventBridge → remediation Lambda for high-severity GuardDuty findings. */
  guardDutyRemediation: z.boolean().default(true),
  /** `PRIVATE` keeps the API off the internet (execute-api VPC endpoint). */
  apiEndpointType: z.enum(API_ENDPOINT_TYPES).default('REGIONAL'),
});

export type EnvironmentFeatures = z.output<typeof featuresSchema>;

const FEATURE_DEFAULTS: EnvironmentFeatures = featuresSchema.parse({});

/** The fields of a spec; cross-field rules and defaults-by-kind are applied by `checkSpecRules` and `applyKindDefaults`. */
const specFields = z.strictObject({
  environmentSuffix: environmentSuffixSchema,
  kind: z.enum(ENVIRONMENT_KINDS, { error: `kind must be one of ${ENVIRONMENT_KINDS.join(', ')}` }),
  owner: tagValue('owner'),
  project: tagValue('project'),
  costCenter: tagValue('costCenter'),
  dataClassification: z
    .enum(DATA_CLASSIFICATIONS, {
      error: `dataClassification must be one of ${DATA_CLASSIFICATIONS.join(', ')}`,
    })
    .default('confidential'),
  complianceLevel: z
    .enum(COMPLIANCE_LEVELS, { error: `complianceLevel must be one of ${COMPLIANCE_LEVELS.join(', ')}` })
    .default('pci-dss'),
  region: z
    .enum(SUPPORTED_REGIONS, { error: `region must be one of ${SUPPORTED_REGIONS.join(', ')}` })
    .default(DEFAULT_REGION),
  account: z
    .string()
    .regex(/^\d{12}$/, { error: 'account must be a 12-digit AWS account ID' })
    .optional(),
  features: featuresSchema.default(FEATURE_DEFAULTS),
  alertEmails: z
    .array(z.email({ error: 'must be an email address' }))
    .max(MAX_ALERT_EMAILS, { error: `at most ${MAX_ALERT_EMAILS} alert emails` })
    .default([]),
  allowedCidrs: z
    .array(cidrSchema)
    .min(1, { error: 'at least one CIDR is required for human-assumable roles' })
    .max(20, { error: 'at most 20 CIDRs' })
    .default(DEFAULT_ALLOWED_CIDRS),
  ttlHours: z
    .number({ error: 'ttlHours must be a number' })
    .int({ error: 'ttlHours must be a whole number of hours' })
    .min(1, { error: 'ttlHours must be at least 1' })
    .max(MAX_TTL_HOURS, { error: `ttlHours must be at most ${MAX_TTL_HOURS} (two weeks)` })
    .optional(),
  existingDatabaseSecretArn: z
    .string()
    .regex(SECRET_ARN, { error: 'existingDatabaseSecretArn must be a full Secrets Manager secret ARN' })
    .optional(),
  /** Trust a read-only auditor role from another account, behind an external ID. */
  crossAccountAuditor: crossAccountAuditorSchema.optional(),
});

type SpecFields = z.output<typeof specFields>;
/** The fields the cross-field rules read: every spec and every request has them. */
type RuleFields = Omit<SpecFields, 'owner'>;

/** Cross-field rules shared by the spec and the portal's request (which lacks `owner`). */
function checkSpecRules(spec: RuleFields, ctx: z.RefinementCtx): void {
  if ((ROUTE_NAME_SUFFIXES as readonly string[]).includes(spec.environmentSuffix)) {
    ctx.addIssue({
      code: 'custom',
      path: ['environmentSuffix'],
      message: `"${spec.environmentSuffix}" is the name of a portal page and cannot be an environment's suffix`,
    });
  }
  if (spec.kind === 'ephemeral') {
    const reserved = spec.environmentSuffix
      .split('-')
      .find((part) => (RESERVED_SUFFIX_WORDS as readonly string[]).includes(part));
    if (reserved !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['environmentSuffix'],
        message: `"${reserved}" is reserved and cannot be used in an ephemeral environment's suffix`,
      });
    }
  } else {
    if (spec.ttlHours !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['ttlHours'],
        message: `ttlHours applies only to ephemeral environments; a ${spec.kind} environment has no TTL`,
      });
    }
    for (const feature of REQUIRED_PERSISTENT_FEATURES) {
      if (!spec.features[feature]) {
        ctx.addIssue({
          code: 'custom',
          path: ['features', feature],
          message: `${feature} cannot be switched off in a ${spec.kind} environment`,
        });
      }
    }
    if (spec.existingDatabaseSecretArn !== undefined) {
      // The stage cannot rotate credentials it does not own (their key, host and schedule are the owner's).
      ctx.addIssue({
        code: 'custom',
        path: ['existingDatabaseSecretArn'],
        message: `a ${spec.kind} environment cannot import a database secret: it uses its own, rotated every 30 days`,
      });
    }
    if (spec.alertEmails.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['alertEmails'],
        message: `a ${spec.kind} environment needs at least one alert email`,
      });
    }
  }
  if (spec.existingDatabaseSecretArn !== undefined && SECRET_ARN.test(spec.existingDatabaseSecretArn)) {
    const secretRegion = spec.existingDatabaseSecretArn.split(':')[3];
    if (secretRegion !== spec.region) {
      ctx.addIssue({
        code: 'custom',
        path: ['existingDatabaseSecretArn'],
        message: `the secret is in ${secretRegion} but the environment is in ${spec.region}`,
      });
    }
  }
}

function applyKindDefaults<T extends RuleFields>(spec: T): T {
  return spec.kind === 'ephemeral' ? { ...spec, ttlHours: spec.ttlHours ?? DEFAULT_TTL_HOURS } : spec;
}

export const environmentSpecSchema = specFields.superRefine(checkSpecRules).transform(applyKindDefaults);

/**
 * What an engineer submits through the portal: the spec without `owner`, which
 * the server takes from the session. Same fields, same rules, same messages.
 * Browser-safe (no Node imports), so the form validates with it too.
 */
export const environmentRequestSchema = specFields
  .omit({ owner: true })
  .superRefine(checkSpecRules)
  .transform(applyKindDefaults);

export type EnvironmentRequestInput = z.input<typeof environmentRequestSchema>;
export type EnvironmentRequest = z.output<typeof environmentRequestSchema>;

/** What a caller sends: defaults not yet applied. */
export type EnvironmentSpecInput = z.input<typeof environmentSpecSchema>;
/** A validated spec with every default applied. */
export type EnvironmentSpec = z.output<typeof environmentSpecSchema>;

export interface FieldError {
  /** Dotted path of the offending field, e.g. `features.waf` or `allowedCidrs.0`. */
  readonly path: string;
  readonly message: string;
}

export type SpecParseResult =
  | { readonly success: true; readonly spec: EnvironmentSpec }
  | { readonly success: false; readonly errors: readonly FieldError[] };

/** Validates untrusted input into a spec, or a field-by-field list of what is wrong. */
export function parseEnvironmentSpec(input: unknown): SpecParseResult {
  const result = environmentSpecSchema.safeParse(input);
  if (result.success) return { success: true, spec: result.data };
  return { success: false, errors: toFieldErrors(result.error) };
}

export type RequestParseResult =
  | { readonly success: true; readonly request: EnvironmentRequest }
  | { readonly success: false; readonly errors: readonly FieldError[] };

/** Validates a portal request (a spec without `owner`) field by field. */
export function parseEnvironmentRequest(input: unknown): RequestParseResult {
  const result = environmentRequestSchema.safeParse(input);
  if (result.success) return { success: true, request: result.data };
  return { success: false, errors: toFieldErrors(result.error) };
}

/** Flattens a zod error into one entry per field, in the order zod found them. */
export function toFieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        path: [...issue.path, key].join('.'),
        message: `unknown field "${key}"`,
      }));
    }
    return [{ path: issue.path.map(String).join('.') || '(root)', message: issue.message }];
  });
}
