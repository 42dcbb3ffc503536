import { existsSync } from 'node:fs';
import path from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { releasePipelineName } from '@sep/registry/names';
import type { DeploymentTarget } from '@sep/registry/targets';
import { z } from 'zod';
import {
  apiTokensSchema,
  booleanFlag,
  deploymentTargetsSchema,
  resourceTypeSchema,
  roleGroupsSchema,
  secretArnSchema,
} from './config-values';
import type { Role } from './domain/types';

/*
 * The portal's configuration, parsed from the environment once. (Slightly over ~400 lines on purpose:
 * every variable the portal reads is declared in the one schema below, with what it is for, and turned
 * into the typed config beside it, so this file is the configuration's reference; the value formats
 * live in config-values.ts.)
 */

/** Hosts a local-mode portal may bind to: it has demo users and no real sign-in. */
export const LOOPBACK_HOSTS = ['127.0.0.1', 'localhost', '::1'] as const;

/** The logger's variables: read on their own, since the logger exists before the rest is needed. */
const logEnvSchema = z.object({
  /** Default: `info`, and `silent` under jest (NODE_ENV=test) so test output stays readable. */
  PORTAL_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
  NODE_ENV: z.string().optional(),
});

function logLevelOf(env: z.output<typeof logEnvSchema>): string {
  return env.PORTAL_LOG_LEVEL ?? (env.NODE_ENV === 'test' ? 'silent' : 'info');
}

/** The log level alone (a bad value is reported by `parseConfig` when the portal starts). */
export function logLevelFromEnv(env: Readonly<Record<string, string | undefined>>): string {
  const parsed = logEnvSchema.safeParse(env);
  return parsed.success ? logLevelOf(parsed.data) : 'info';
}

/**
 * The secret-bearing settings and the variables naming their Secrets Manager secret. In aws mode each
 * value is read from its secret at start (encrypted at rest with the secret's KMS key) and never taken
 * from a plain environment variable, which the task definition, `ps` and crash dumps would show.
 */
export const AWS_SECRETS = [
  { variable: 'PORTAL_SESSION_SECRET', arnVariable: 'PORTAL_SESSION_SECRET_ARN', required: true },
  { variable: 'PORTAL_OIDC_CLIENT_SECRET', arnVariable: 'PORTAL_OIDC_CLIENT_SECRET_ARN', required: true },
  // Without API tokens, only signed-in people use the portal.
  { variable: 'PORTAL_API_TOKENS', arnVariable: 'PORTAL_API_TOKENS_SECRET_ARN', required: false },
] as const;

const envSchema = z
  .object({
    PORTAL_MODE: z.enum(['local', 'aws']).default('local'),
    PORT: z.coerce.number().int().min(1).max(65_535).default(3000),
    PORTAL_HOST: z.string().min(1).default('127.0.0.1'),
    PORTAL_DATA_DIR: z.string().min(1).optional(),
    PORTAL_REPO_ROOT: z.string().min(1).optional(),
    PORTAL_PUBLIC_ORIGIN: z.url().optional(),
    /**
     * The `Host` values the portal answers (comma-separated `name[:port]`). Default: the loopback names on
     * PORT (local mode), and the hosts of PORTAL_PUBLIC_ORIGIN and PORTAL_OIDC_REDIRECT_URI.
     */
    PORTAL_ALLOWED_HOSTS: z
      .string()
      .transform((value) =>
        value
          .split(',')
          .map((host) => host.trim().toLowerCase())
          .filter(Boolean),
      )
      .optional(),
    PORTAL_SESSION_SECRET: z
      .string()
      .min(32, { error: 'PORTAL_SESSION_SECRET must be at least 32 characters' })
      .optional(),
    PORTAL_SPEED_FACTOR: z.coerce.number().positive().max(100_000).default(10),
    PORTAL_FAIL_RESOURCE_TYPE: resourceTypeSchema.optional(),
    /**
     * Local mode, for tests that must stop a deployment at a point they choose: every create rollout
     * waits before the first resource of this type starts (what already runs finishes), for as long as
     * the portal runs with this set. A portal started without it lets held rollouts carry on.
     */
    PORTAL_HOLD_BEFORE_RESOURCE_TYPE: resourceTypeSchema.optional(),
    PORTAL_POLL_INTERVAL_MS: z.coerce.number().int().min(50).max(60_000).optional(),
    PORTAL_SEED_PERSISTENT: booleanFlag.default(true),
    /**
     * How many times the reconciler deletes and requests again an ephemeral environment whose first
     * create rolled back (its stack can only be deleted). 0 leaves such an environment failed.
     */
    PORTAL_AUTO_RECREATIONS: z.coerce.number().int().min(0).max(5).default(1),
    /** Ephemeral environments one user may have that are not destroyed (429 beyond). */
    PORTAL_LIMIT_ACTIVE_EPHEMERAL_PER_USER: z.coerce.number().int().min(1).max(1000).default(10),
    /** Environment requests one user may make per minute (429 beyond). */
    PORTAL_LIMIT_CREATES_PER_MINUTE: z.coerce.number().int().min(1).max(10_000).default(10),
    /** Event streams one user may hold open (429 beyond). */
    PORTAL_LIMIT_STREAMS_PER_USER: z.coerce.number().int().min(1).max(10_000).default(20),
    /** Event streams the portal holds open in total (429 beyond). */
    PORTAL_LIMIT_STREAMS_TOTAL: z.coerce.number().int().min(1).max(100_000).default(1000),
    ...logEnvSchema.shape,
    // aws mode
    AWS_REGION: z.string().optional(),
    PORTAL_PIPELINE_NAME: z.string().min(1).default('sep-delivery'),
    /** The pipeline stack's `ReleasePipelineName` output. Default: `<PORTAL_PIPELINE_NAME>-release`. */
    PORTAL_RELEASE_PIPELINE_NAME: z.string().min(1).optional(),
    /** The pipeline's account: where environments whose request names no account deploy. */
    PORTAL_PIPELINE_ACCOUNT: z
      .string()
      .regex(/^\d{12}$/, { error: 'must be a 12-digit account ID' })
      .optional(),
    /**
     * The pipeline stack's `DeploymentTargets` output: the account/region pairs bootstrapped for the
     * pipeline. A request for any other target is refused (400 on `account` or `region`).
     */
    PORTAL_DEPLOYMENT_TARGETS: deploymentTargetsSchema.optional(),
    PORTAL_APPROVAL_ACTION: z.string().min(1).default('PromoteToProd'),
    PORTAL_REGISTRY_TABLE: z.string().min(1).default('sep-environment-registry'),
    PORTAL_AUDIT_TABLE: z.string().min(1).default('sep-portal-audit'),
    /** The pipeline stack's `PortalSessionTableName` output: sessions ended on the server. */
    PORTAL_SESSION_TABLE: z.string().min(1).default('sep-portal-sessions'),
    /** The pipeline stack's `ComplianceReportsBucketName` output: the synth's cdk-nag reports. */
    PORTAL_COMPLIANCE_REPORTS_BUCKET: z
      .string()
      .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: 'must be an S3 bucket name' })
      .optional(),
    /**
     * aws mode: the KMS asymmetric key (ECC_NIST_P256, SIGN_VERIFY) evidence bundles are signed with (key
     * ID, ARN or alias). Without it, aws mode serves no evidence bundle; local mode signs with a local key.
     */
    PORTAL_EVIDENCE_KMS_KEY_ID: z.string().min(1).optional(),
    PORTAL_API_TOKENS: apiTokensSchema.optional(),
    PORTAL_SESSION_SECRET_ARN: secretArnSchema.optional(),
    PORTAL_OIDC_CLIENT_SECRET_ARN: secretArnSchema.optional(),
    PORTAL_API_TOKENS_SECRET_ARN: secretArnSchema.optional(),
    PORTAL_OIDC_ISSUER: z.url().optional(),
    PORTAL_OIDC_CLIENT_ID: z.string().min(1).optional(),
    PORTAL_OIDC_CLIENT_SECRET: z.string().min(1).optional(),
    PORTAL_OIDC_REDIRECT_URI: z.url().optional(),
    PORTAL_OIDC_GROUPS_CLAIM: z.string().min(1).default('groups'),
    PORTAL_OIDC_ROLE_GROUPS: roleGroupsSchema.default({
      engineer: 'sep-engineers',
      approver: 'sep-approvers',
      admin: 'sep-admins',
    }),
  })
  .superRefine((env, ctx) => {
    if (env.PORTAL_MODE === 'local' && !(LOOPBACK_HOSTS as readonly string[]).includes(env.PORTAL_HOST)) {
      ctx.addIssue({
        code: 'custom',
        path: ['PORTAL_HOST'],
        message: `local mode has demo users and binds to loopback only (${LOOPBACK_HOSTS.join(', ')})`,
      });
    }
    if (env.PORTAL_MODE === 'aws') {
      for (const key of [
        'AWS_REGION',
        'PORTAL_OIDC_ISSUER',
        'PORTAL_OIDC_CLIENT_ID',
        'PORTAL_OIDC_CLIENT_SECRET',
        'PORTAL_OIDC_REDIRECT_URI',
        'PORTAL_SESSION_SECRET',
        'PORTAL_PIPELINE_ACCOUNT',
        'PORTAL_DEPLOYMENT_TARGETS',
      ] as const) {
        if (env[key] === undefined)
          ctx.addIssue({ code: 'custom', path: [key], message: `${key} is required in aws mode` });
      }
    }
    if (env.PORTAL_DEPLOYMENT_TARGETS !== undefined && env.PORTAL_PIPELINE_ACCOUNT === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['PORTAL_PIPELINE_ACCOUNT'],
        message:
          'PORTAL_PIPELINE_ACCOUNT is required with PORTAL_DEPLOYMENT_TARGETS (the account of requests that name none)',
      });
    }
  });

/** Every environment variable the portal reads (the root scripts must pass each one through). */
export const PORTAL_ENV_VARIABLES: readonly string[] = Object.keys(envSchema.shape);

export interface OidcConfig {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUri: string;
  readonly groupsClaim: string;
  readonly roleGroups: Partial<Record<Role, string>>;
}

export interface PortalConfig {
  readonly mode: 'local' | 'aws';
  readonly port: number;
  readonly host: string;
  /** Where local state lives (registry store, audit, platform, generated session secret). */
  readonly dataDir: string;
  /** The monorepo root: local mode's pipeline runs snapshot it as their source. */
  readonly repoRoot: string;
  /** Fixed public origin for the same-origin check; derived from the request's (allowed) Host when absent. */
  readonly publicOrigin?: string;
  /** The `Host` values the portal answers; any other gets 421 (DNS rebinding). */
  readonly allowedHosts: readonly string[];
  readonly sessionSecret?: string;
  readonly speedFactor: number;
  readonly failResourceType?: string;
  /** Local mode: create rollouts wait before the first resource of this type (PORTAL_HOLD_BEFORE_RESOURCE_TYPE). */
  readonly holdBeforeResourceType?: string;
  readonly pollIntervalMs: number;
  readonly seedPersistent: boolean;
  /** PORTAL_AUTO_RECREATIONS. */
  readonly autoRecreations: number;
  /** PORTAL_LIMIT_*: what one user, and the portal, may hold or do. */
  readonly limits: {
    readonly activeEphemeralPerUser: number;
    readonly createsPerMinutePerUser: number;
    readonly streamsPerUser: number;
    readonly streamsTotal: number;
  };
  readonly logLevel: string;
  /**
   * Where requests may deploy: the bootstrapped targets and the account of a request that names none.
   * Absent (local mode without PORTAL_DEPLOYMENT_TARGETS): any account and region.
   */
  readonly deployment?: {
    readonly targets: readonly DeploymentTarget[];
    readonly defaultAccount: string;
  };
  readonly aws: {
    readonly region?: string;
    /** The environments pipeline (requests and teardowns start it). */
    readonly pipelineName: string;
    /** The release pipeline (staging, PromoteToProd, prod). */
    readonly releasePipelineName: string;
    readonly approvalActionName: string;
    readonly registryTableName: string;
    readonly auditTableName: string;
    readonly sessionTableName: string;
    /** Holds `nag-reports/<suffix>.json`; without it aws mode shows no static compliance report. */
    readonly complianceReportsBucket?: string;
    /** PORTAL_EVIDENCE_KMS_KEY_ID: signs evidence bundles in aws mode. */
    readonly evidenceSigningKeyId?: string;
  };
  readonly apiTokens: readonly {
    readonly name: string;
    readonly roles: readonly Role[];
    readonly sha256: string;
  }[];
  readonly oidc?: OidcConfig;
}

/** The loopback names on PORT in local mode, and the hosts of the configured public URLs. */
function defaultAllowedHosts(e: {
  readonly PORTAL_MODE: 'local' | 'aws';
  readonly PORT: number;
  readonly PORTAL_PUBLIC_ORIGIN?: string | undefined;
  readonly PORTAL_OIDC_REDIRECT_URI?: string | undefined;
}): string[] {
  const hosts =
    e.PORTAL_MODE === 'local' ? ['127.0.0.1', 'localhost', '[::1]'].map((name) => `${name}:${e.PORT}`) : [];
  for (const url of [e.PORTAL_PUBLIC_ORIGIN, e.PORTAL_OIDC_REDIRECT_URI])
    if (url !== undefined) hosts.push(new URL(url).host.toLowerCase());
  return [...new Set(hosts)];
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Walks up from `start` to the directory holding the `infra` workspace. */
function findRepoRoot(start: string): string {
  let current = path.resolve(start);
  for (;;) {
    if (existsSync(path.join(current, 'infra', 'package.json')) && existsSync(path.join(current, 'portal'))) {
      return current;
    }
    const parent = path.dirname(current);
    if (parent === current) return path.resolve(start, '..');
    current = parent;
  }
}

/** Parses the environment once; throws a ConfigError naming every bad variable. */
export function parseConfig(
  env: Readonly<Record<string, string | undefined>>,
  cwd: string = process.cwd(),
): PortalConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(env)'}: ${issue.message}`,
    );
    throw new ConfigError(`invalid portal configuration:\n  ${problems.join('\n  ')}`);
  }
  const e = parsed.data;
  const repoRoot = path.resolve(e.PORTAL_REPO_ROOT ?? findRepoRoot(cwd));
  const oidc: OidcConfig | undefined =
    e.PORTAL_OIDC_ISSUER &&
    e.PORTAL_OIDC_CLIENT_ID &&
    e.PORTAL_OIDC_CLIENT_SECRET &&
    e.PORTAL_OIDC_REDIRECT_URI
      ? {
          issuer: e.PORTAL_OIDC_ISSUER,
          clientId: e.PORTAL_OIDC_CLIENT_ID,
          clientSecret: e.PORTAL_OIDC_CLIENT_SECRET,
          redirectUri: e.PORTAL_OIDC_REDIRECT_URI,
          groupsClaim: e.PORTAL_OIDC_GROUPS_CLAIM,
          roleGroups: e.PORTAL_OIDC_ROLE_GROUPS,
        }
      : undefined;
  return {
    mode: e.PORTAL_MODE,
    port: e.PORT,
    host: e.PORTAL_HOST,
    dataDir: path.resolve(e.PORTAL_DATA_DIR ?? path.join(repoRoot, 'portal', '.data')),
    repoRoot,
    ...(e.PORTAL_PUBLIC_ORIGIN === undefined ? {} : { publicOrigin: new URL(e.PORTAL_PUBLIC_ORIGIN).origin }),
    allowedHosts: e.PORTAL_ALLOWED_HOSTS ?? defaultAllowedHosts(e),
    ...(e.PORTAL_SESSION_SECRET === undefined ? {} : { sessionSecret: e.PORTAL_SESSION_SECRET }),
    speedFactor: e.PORTAL_SPEED_FACTOR,
    ...(e.PORTAL_FAIL_RESOURCE_TYPE === undefined ? {} : { failResourceType: e.PORTAL_FAIL_RESOURCE_TYPE }),
    ...(e.PORTAL_HOLD_BEFORE_RESOURCE_TYPE === undefined
      ? {}
      : { holdBeforeResourceType: e.PORTAL_HOLD_BEFORE_RESOURCE_TYPE }),
    pollIntervalMs: e.PORTAL_POLL_INTERVAL_MS ?? (e.PORTAL_MODE === 'aws' ? 5000 : 1000),
    seedPersistent: e.PORTAL_SEED_PERSISTENT,
    autoRecreations: e.PORTAL_AUTO_RECREATIONS,
    limits: {
      activeEphemeralPerUser: e.PORTAL_LIMIT_ACTIVE_EPHEMERAL_PER_USER,
      createsPerMinutePerUser: e.PORTAL_LIMIT_CREATES_PER_MINUTE,
      streamsPerUser: e.PORTAL_LIMIT_STREAMS_PER_USER,
      streamsTotal: e.PORTAL_LIMIT_STREAMS_TOTAL,
    },
    logLevel: logLevelOf(e),
    ...(e.PORTAL_DEPLOYMENT_TARGETS === undefined || e.PORTAL_PIPELINE_ACCOUNT === undefined
      ? {}
      : { deployment: { targets: e.PORTAL_DEPLOYMENT_TARGETS, defaultAccount: e.PORTAL_PIPELINE_ACCOUNT } }),
    aws: {
      ...(e.AWS_REGION === undefined ? {} : { region: e.AWS_REGION }),
      pipelineName: e.PORTAL_PIPELINE_NAME,
      releasePipelineName: e.PORTAL_RELEASE_PIPELINE_NAME ?? releasePipelineName(e.PORTAL_PIPELINE_NAME),
      approvalActionName: e.PORTAL_APPROVAL_ACTION,
      registryTableName: e.PORTAL_REGISTRY_TABLE,
      auditTableName: e.PORTAL_AUDIT_TABLE,
      sessionTableName: e.PORTAL_SESSION_TABLE,
      ...(e.PORTAL_COMPLIANCE_REPORTS_BUCKET === undefined
        ? {}
        : { complianceReportsBucket: e.PORTAL_COMPLIANCE_REPORTS_BUCKET }),
      ...(e.PORTAL_EVIDENCE_KMS_KEY_ID === undefined
        ? {}
        : { evidenceSigningKeyId: e.PORTAL_EVIDENCE_KMS_KEY_ID }),
    },
    apiTokens: e.PORTAL_API_TOKENS ?? [],
    ...(oidc === undefined ? {} : { oidc }),
  };
}

/** Reads a secret's current value (SecretString) by ARN. */
export type SecretReader = (arn: string) => Promise<string>;

/** The Secrets Manager reader of aws mode (the endpoint honours AWS_ENDPOINT_URL_SECRETS_MANAGER). */
export function secretsManagerReader(region?: string): SecretReader {
  const client = new SecretsManagerClient({ ...(region === undefined ? {} : { region }), maxAttempts: 3 });
  return async (arn) => {
    const answer = await client.send(new GetSecretValueCommand({ SecretId: arn }));
    if (answer.SecretString === undefined || answer.SecretString === '')
      throw new Error('the secret has no string value');
    return answer.SecretString;
  };
}

export interface LoadConfigOptions {
  /** @default process.cwd() */
  readonly cwd?: string;
  /** @default the Secrets Manager reader of the configured region */
  readonly readSecret?: SecretReader;
}

/**
 * The process-facing configuration: in aws mode the secrets are read from Secrets Manager (named by
 * their `*_ARN` variables) and plain secret values are refused; then `parseConfig`. Throws a
 * ConfigError naming each missing or unreadable secret (never its value).
 */
export async function loadConfig(
  env: Readonly<Record<string, string | undefined>>,
  options: LoadConfigOptions = {},
): Promise<PortalConfig> {
  if (env.PORTAL_MODE !== 'aws') return parseConfig(env, options.cwd);
  const problems: string[] = [];
  for (const { variable, arnVariable, required } of AWS_SECRETS) {
    if (env[variable] !== undefined)
      problems.push(
        `${variable}: aws mode reads it from Secrets Manager (${arnVariable}), never from a plain environment value`,
      );
    const arn = env[arnVariable];
    if (arn === undefined) {
      if (required) problems.push(`${arnVariable}: required in aws mode (the ARN of the ${variable} secret)`);
    } else if (!secretArnSchema.safeParse(arn).success) {
      problems.push(`${arnVariable}: must be a Secrets Manager secret ARN`);
    }
  }
  if (problems.length > 0) throw new ConfigError(`invalid portal configuration:\n  ${problems.join('\n  ')}`);
  const readSecret = options.readSecret ?? secretsManagerReader(env.AWS_REGION);
  const values: Record<string, string> = {};
  const failures = await Promise.all(
    AWS_SECRETS.map(async ({ variable, arnVariable }) => {
      const arn = env[arnVariable];
      if (arn === undefined) return undefined;
      try {
        values[variable] = await readSecret(arn);
        return undefined;
      } catch (error) {
        // The error's name and message only: they describe the call, never the secret's value.
        const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        return `${arnVariable}: the ${variable} secret ${arn} could not be read (${reason})`;
      }
    }),
  );
  const unreadable = failures.filter((line): line is string => line !== undefined);
  if (unreadable.length > 0)
    throw new ConfigError(`invalid portal configuration:\n  ${unreadable.join('\n  ')}`);
  return parseConfig({ ...env, ...values }, options.cwd);
}

const CONFIG_KEY = Symbol.for('sep.portal.config');
type GlobalWithConfig = typeof globalThis & { [CONFIG_KEY]?: Promise<PortalConfig> };

/**
 * The process's configuration, loaded on first use (the instrumentation hook loads it at start). Kept
 * on globalThis: Next bundles the hook and each route separately, and all must share one load.
 */
export function portalConfig(): Promise<PortalConfig> {
  const holder = globalThis as GlobalWithConfig;
  holder[CONFIG_KEY] ??= loadConfig(process.env);
  return holder[CONFIG_KEY];
}
