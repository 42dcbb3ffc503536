import { DeploymentTargetsError, parseDeploymentTargets, parseTargetSelection } from '@sep/registry/targets';
import type { App, Environment } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { z } from 'zod';
import type { AccountSecurityStageFactory, EnvironmentStageFactory } from './environment-stages';
import { type LoadedEnvironments, readEnvironmentsFile } from './environments-file';
import { MAX_PIPELINE_NAME_LENGTH } from './pipeline-names';
import { applyPipelineCompliancePacks, PipelineStack } from './pipeline-stack';
import { PORTAL_CONTEXT_KEYS, portalContextShape, portalHostingFrom } from './portal/portal-context';

/** Context keys (cdk.json or `-c key=value`) that configure the pipeline. */
const contextSchema = z.object({
  connectionArn: z
    .string({ error: 'context connectionArn (CodeStar connection ARN) is required' })
    .regex(/^arn:aws[a-z-]*:(codestar-connections|codeconnections):[a-z0-9-]+:\d{12}:connection\/[\w-]+$/, {
      error: 'connectionArn must be a CodeStar/CodeConnections connection ARN',
    }),
  repo: z.string().regex(/^[\w.-]+\/[\w.-]+$/, { error: 'repo must be owner/name' }),
  branch: z.string().min(1).default('main'),
  pipelineAccount: z.string().regex(/^\d{12}$/, { error: 'pipelineAccount must be a 12-digit account ID' }),
  pipelineRegion: z.string().min(1).default('us-east-1'),
  pipelineName: z
    .string()
    .regex(/^[A-Za-z0-9.@_-]+$/, { error: 'pipelineName may hold letters, digits and . @ _ - only' })
    .max(MAX_PIPELINE_NAME_LENGTH, {
      error: `pipelineName must be at most ${MAX_PIPELINE_NAME_LENGTH} characters (role names are built from it)`,
    })
    .optional(),
  portalPrincipalArn: z
    .string()
    .startsWith('arn:', { error: 'portalPrincipalArn must be an IAM ARN' })
    .optional(),
  /**
   * The account/region pairs bootstrapped with trust for the pipeline account
   * (`111111111111/us-east-1,222222222222/eu-west-1`). @default the pipeline's own account and region
   */
  deploymentTargets: z.string().min(1).optional(),
  /**
   * Targets whose AWS Config recorder exists already, or `*` for all (AWS Control Tower governed
   * regions have one, and only one is allowed). @default none: every target gets one
   */
  existingConfigRecorders: z.string().optional(),
  environmentsFile: z.string().min(1).optional(),
  nag: z.enum(['true', 'false']).default('true'),
  maxEnvironments: z.coerce
    .number({ error: 'maxEnvironments must be a number' })
    .int({ error: 'maxEnvironments must be a whole number' })
    .positive({ error: 'maxEnvironments must be at least 1' })
    .optional(),
  ...portalContextShape,
});

/** A context value (cdk.json or `-c`) is missing or malformed: nothing is synthesized. */
export class PipelineContextError extends Error {
  override readonly name = 'PipelineContextError';
}

/** One line per field: the operator fixes them all in one go. */
function invalidContext(lines: readonly string[]): PipelineContextError {
  return new PipelineContextError(
    lines.length === 1
      ? `pipeline context is invalid: ${lines[0]}`
      : `pipeline context is invalid:\n  ${lines.join('\n  ')}`,
  );
}

/** A registry holds more environments than the pipeline is allowed to deploy: nothing is synthesized. */
export class PipelineCapacityError extends Error {
  override readonly name = 'PipelineCapacityError';
}
/**
 * The context keys the synth step passes back to `cdk synth`, so that the pipeline it builds (and
 * self-mutates to) is the one deployed: every key but the environments file, which the synth step
 * writes from the registry itself.
 */
const SYNTH_CONTEXT_KEYS = Object.keys(contextSchema.shape).filter(
  (key): key is Exclude<keyof z.output<typeof contextSchema>, 'environmentsFile'> =>
    key !== 'environmentsFile',
);

export interface BuildPipelineAppOptions {
  readonly app: App;
  /** ENVIRONMENTS_FILE (wins over the `environmentsFile` context). */
  readonly environmentsFile?: string;
  /** @default CDK_DEFAULT_ACCOUNT / CDK_DEFAULT_REGION as context fallbacks */
  readonly defaultEnv?: Environment;
  readonly createEnvironmentStage: EnvironmentStageFactory;
  readonly accountSecurityStage: (loaded: LoadedEnvironments) => AccountSecurityStageFactory;
  /** @default console.warn */
  readonly warn?: (line: string) => void;
}

/**
 * Builds the pipeline app from context and the environments file. No network:
 * the registry was read into the file before synth (scripts/export-registry.ts).
 */
export function buildPipelineApp(options: BuildPipelineAppOptions): PipelineStack {
  const { app } = options;
  const warn = options.warn ?? ((line: string) => console.warn(line));
  const raw = (key: string) => app.node.tryGetContext(key) as unknown;
  const context = contextSchema.safeParse({
    connectionArn: raw('connectionArn'),
    repo: raw('repo'),
    branch: raw('branch'),
    pipelineAccount: raw('pipelineAccount') ?? options.defaultEnv?.account,
    pipelineRegion: raw('pipelineRegion') ?? options.defaultEnv?.region,
    pipelineName: raw('pipelineName'),
    portalPrincipalArn: raw('portalPrincipalArn'),
    deploymentTargets: raw('deploymentTargets'),
    existingConfigRecorders: raw('existingConfigRecorders'),
    environmentsFile: raw('environmentsFile'),
    nag: raw('nag') === undefined ? undefined : String(raw('nag')),
    maxEnvironments: raw('maxEnvironments'),
    ...Object.fromEntries(PORTAL_CONTEXT_KEYS.map((key) => [key, raw(key)])),
  });
  if (!context.success) {
    throw invalidContext(context.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const config = context.data;
  const portal = portalHostingFrom(config, {
    account: config.pipelineAccount,
    region: config.pipelineRegion,
  });
  if (portal.problems.length > 0) throw invalidContext(portal.problems);
  let targets: ReturnType<typeof parseDeploymentTargets>;
  let existingConfigRecorders: ReturnType<typeof parseDeploymentTargets>;
  try {
    targets = parseDeploymentTargets(
      config.deploymentTargets ?? `${config.pipelineAccount}/${config.pipelineRegion}`,
    );
    existingConfigRecorders = parseTargetSelection(config.existingConfigRecorders ?? '', targets);
  } catch (error) {
    if (!(error instanceof DeploymentTargetsError)) throw error;
    throw new PipelineContextError(`pipeline context is invalid: ${error.message}`);
  }
  const file = options.environmentsFile ?? config.environmentsFile;
  let loaded: LoadedEnvironments = { environments: [], skipped: [] };
  if (file === undefined) {
    warn('pipeline: no ENVIRONMENTS_FILE: synthesizing the pipeline without environment stages');
  } else {
    loaded = readEnvironmentsFile(file, { targets, defaultAccount: config.pipelineAccount });
    for (const skipped of loaded.skipped) {
      warn(`pipeline: skipping registry entry "${skipped.environmentSuffix}": ${skipped.reason}`);
    }
  }
  const cap = config.maxEnvironments;
  if (cap !== undefined && loaded.environments.length > cap) {
    throw new PipelineCapacityError(
      `the registry holds ${loaded.environments.length} deployable environments and this pipeline deploys at most ${cap} (context maxEnvironments): destroy environments or raise the cap; nothing was synthesized`,
    );
  }
  const synthContext: Record<string, string> = {};
  for (const key of SYNTH_CONTEXT_KEYS) {
    const value = config[key];
    if (value !== undefined) synthContext[key] = String(value);
  }

  const stack = new PipelineStack(app, 'PipelineStack', {
    env: { account: config.pipelineAccount, region: config.pipelineRegion },
    description:
      'Secure Environment Portal delivery pipeline, environment registry, portal role, TTL sweeper',
    source: { connectionArn: config.connectionArn, repo: config.repo, branch: config.branch },
    environments: loaded.environments,
    skipped: loaded.skipped,
    targets,
    existingConfigRecorders,
    createEnvironmentStage: options.createEnvironmentStage,
    createAccountSecurityStage: options.accountSecurityStage(loaded),
    nag: config.nag === 'true',
    ...(config.pipelineName === undefined ? {} : { pipelineName: config.pipelineName }),
    ...(config.portalPrincipalArn === undefined
      ? {}
      : { portalPrincipal: new iam.ArnPrincipal(config.portalPrincipalArn) }),
    ...(portal.hosting === undefined ? {} : { portalHosting: portal.hosting }),
    synthContext,
  });
  if (config.nag === 'true') applyPipelineCompliancePacks(stack);
  return stack;
}
