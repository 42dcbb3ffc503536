// The delivery pipeline as it was synthesized: the AWS::CodePipeline::Pipeline of PipelineStack and the
// CodeBuild projects its actions run, read from a cloud assembly. No aws-cdk-lib: the portal's local
// mode plays this definition and the buildspec rehearsal runs its commands.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { actionEnvironment } from '@sep/registry/names';
import { z } from 'zod';

/** CodePipeline V2 execution modes (https://docs.aws.amazon.com/codepipeline/latest/userguide/concepts-how-it-works.html). */
export const EXECUTION_MODES = ['SUPERSEDED', 'QUEUED', 'PARALLEL'] as const;
export type ExecutionMode = (typeof EXECUTION_MODES)[number];

/** What an action does, as the portal and the local player tell them apart. */
export type ActionKind =
  /** The CodeStar-connection source. */
  | 'source'
  /** The synth step (registry export, `cdk synth`, report publishing). */
  | 'synth'
  /** CDK Pipelines' self-mutation (`cdk deploy` of the pipeline stack). */
  | 'self-mutate'
  /** Asset publishing (`cdk-assets`). */
  | 'assets'
  /** A CloudFormation CREATE_UPDATE of one stack. */
  | 'deploy'
  /** The manual approval before prod. */
  | 'approval'
  /** The post-deploy smoke test of one environment. */
  | 'smoke'
  | 'other';

/** A CodeBuild project an action runs, with its buildspec and environment as synthesized. */
export interface BuildProject {
  readonly logicalId: string;
  /** The buildspec (parsed JSON), or the name of a buildspec file in the assembly (asset projects). */
  readonly buildSpec: BuildSpec | string;
  /** Project environment variables: literal values, or CloudFormation references left as they are. */
  readonly environmentVariables: readonly { readonly name: string; readonly value: unknown }[];
}

export interface BuildSpec {
  readonly version?: string;
  readonly env?: { readonly variables?: Record<string, string> };
  readonly phases?: Record<string, { readonly commands?: readonly string[] } | undefined>;
  readonly artifacts?: { readonly 'base-directory'?: string; readonly files?: unknown };
}

export interface ActionDefinition {
  readonly name: string;
  readonly stageName: string;
  readonly runOrder: number;
  readonly category: string;
  readonly provider: string;
  readonly kind: ActionKind;
  /** The action's region when it is not the pipeline's. */
  readonly region?: string;
  /** Output variables namespace (deploy actions: the stack outputs' namespace). */
  readonly namespace?: string;
  /** Deploy actions: stack, template path inside the cloud assembly, target account and region. */
  readonly stack?: {
    readonly stackName: string;
    readonly templatePath: string;
    readonly account: string;
    readonly region: string;
  };
  /** Build actions: the project and the action-level environment variables (`#{ns.Var}` references). */
  readonly build?: {
    readonly project: BuildProject;
    readonly environmentVariables: readonly { readonly name: string; readonly value: string }[];
  };
  /** The environment this action deploys or smoke-tests. */
  readonly environmentSuffix?: string;
}

export interface StageDefinition {
  readonly name: string;
  readonly actions: readonly ActionDefinition[];
}

export interface PipelineDefinition {
  readonly pipelineName: string;
  readonly pipelineType: string;
  /** @default SUPERSEDED (CodePipeline's default) */
  readonly executionMode: ExecutionMode;
  readonly restartExecutionOnUpdate: boolean;
  readonly account: string;
  readonly region: string;
  readonly stages: readonly StageDefinition[];
}

export class PipelineDefinitionError extends Error {
  override readonly name = 'PipelineDefinitionError';
}

const cfnValue = z.unknown();
const actionSchema = z.object({
  Name: z.string(),
  RunOrder: z.number().int().positive().default(1),
  Region: z.string().optional(),
  Namespace: z.string().optional(),
  ActionTypeId: z.object({ Category: z.string(), Provider: z.string() }),
  Configuration: z.record(z.string(), cfnValue).default({}),
  RoleArn: cfnValue.optional(),
});
const pipelineSchema = z.object({
  Type: z.literal('AWS::CodePipeline::Pipeline'),
  Properties: z.object({
    Name: z.string().optional(),
    PipelineType: z.string().default('V1'),
    ExecutionMode: z.enum(EXECUTION_MODES).default('SUPERSEDED'),
    RestartExecutionOnUpdate: z.boolean().default(false),
    Stages: z.array(z.object({ Name: z.string(), Actions: z.array(actionSchema) })).min(1),
  }),
});
const projectSchema = z.object({
  Type: z.literal('AWS::CodeBuild::Project'),
  Properties: z.object({
    Source: z.object({ BuildSpec: z.string().optional() }),
    Environment: z
      .object({
        EnvironmentVariables: z.array(z.object({ Name: z.string(), Value: cfnValue })).optional(),
      })
      .default({}),
  }),
});

interface Template {
  readonly Resources?: Record<string, { readonly Type?: string }>;
}

/** `arn:…:iam::<account>:role/…` inside a Fn::Join (CDK's bootstrap role ARNs), or a literal ARN. */
function accountOfRole(roleArn: unknown): string | undefined {
  const text = JSON.stringify(roleArn ?? '');
  return /:iam::(\d{12}):role\//.exec(text)?.[1];
}

function parseBuildSpec(text: string | undefined): BuildSpec | string {
  if (text === undefined) return '';
  try {
    return JSON.parse(text) as BuildSpec;
  } catch {
    // Asset projects name a buildspec file written beside the template.
    return text;
  }
}

function classify(
  stageName: string,
  action: z.infer<typeof actionSchema>,
  project?: BuildProject,
): ActionKind {
  const { Category: category, Provider: provider } = action.ActionTypeId;
  if (category === 'Source') return 'source';
  if (category === 'Approval') return 'approval';
  if (category === 'Deploy' && provider === 'CloudFormation') return 'deploy';
  if (provider !== 'CodeBuild' || project === undefined) return 'other';
  const spec = project.buildSpec;
  const commands =
    typeof spec === 'string'
      ? spec
      : Object.values(spec.phases ?? {})
          .flatMap((phase) => phase?.commands ?? [])
          .join('\n');
  if (/\bcdk -a \. deploy\b/.test(commands)) return 'self-mutate';
  if (/\bcdk synth\b/.test(commands)) return 'synth';
  if (stageName === 'Assets' || /FileAsset|cdk-assets/.test(commands)) return 'assets';
  if (/smoke/.test(commands)) return 'smoke';
  return 'other';
}

/**
 * Reads the pipeline out of a synthesized PipelineStack template (`templateFile` inside `assemblyDir`).
 * Throws PipelineDefinitionError when the template holds no pipeline or one this reader cannot follow.
 */
export function readPipelineDefinitions(options: {
  readonly assemblyDir: string;
  /** @default 'PipelineStack.template.json' */
  readonly templateFile?: string;
  /** The pipeline stack's account and region (from its manifest artifact). */
  readonly account: string;
  readonly region: string;
}): PipelineDefinition[] {
  const file = join(options.assemblyDir, options.templateFile ?? 'PipelineStack.template.json');
  let template: Template;
  try {
    template = JSON.parse(readFileSync(file, 'utf8')) as Template;
  } catch (error) {
    throw new PipelineDefinitionError(`cannot read ${file}: ${(error as Error).message}`);
  }
  const resources = template.Resources ?? {};
  const pipelines = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::CodePipeline::Pipeline');
  if (pipelines.length === 0)
    throw new PipelineDefinitionError(`${file} holds no AWS::CodePipeline::Pipeline`);
  const projects = new Map<string, BuildProject>();
  for (const [logicalId, resource] of Object.entries(resources)) {
    const project = projectSchema.safeParse(resource);
    if (!project.success) continue;
    projects.set(logicalId, {
      logicalId,
      buildSpec: parseBuildSpec(project.data.Properties.Source.BuildSpec),
      environmentVariables: (project.data.Properties.Environment.EnvironmentVariables ?? []).map((v) => ({
        name: v.Name,
        value: v.Value,
      })),
    });
  }
  return pipelines.map(([logicalId, resource]) => {
    const parsed = pipelineSchema.safeParse(resource);
    if (!parsed.success) {
      throw new PipelineDefinitionError(
        `the pipeline ${logicalId} in ${file} is not one this reader follows: ${parsed.error.issues
          .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
          .join('; ')}`,
      );
    }
    const properties = parsed.data.Properties;
    const stages = properties.Stages.map((stage) => ({
      name: stage.Name,
      actions: stage.Actions.map((action): ActionDefinition => {
        const projectRef = (action.Configuration.ProjectName as { Ref?: string } | undefined)?.Ref;
        const project = projectRef === undefined ? undefined : projects.get(projectRef);
        const kind = classify(stage.Name, action, project);
        const region = action.Region;
        const environment = actionEnvironment({ stageName: stage.Name, actionName: action.Name });
        const templatePath = action.Configuration.TemplatePath;
        const stackName = action.Configuration.StackName;
        const variables =
          typeof action.Configuration.EnvironmentVariables === 'string'
            ? (JSON.parse(action.Configuration.EnvironmentVariables) as { name: string; value: string }[])
            : [];
        return {
          name: action.Name,
          stageName: stage.Name,
          runOrder: action.RunOrder,
          category: action.ActionTypeId.Category,
          provider: action.ActionTypeId.Provider,
          kind,
          ...(region === undefined ? {} : { region }),
          ...(action.Namespace === undefined ? {} : { namespace: action.Namespace }),
          ...(kind === 'deploy' && typeof templatePath === 'string' && typeof stackName === 'string'
            ? {
                stack: {
                  stackName,
                  // `<artifact>::<path inside the artifact>`: the synth output is the cloud assembly.
                  templatePath: templatePath.slice(templatePath.indexOf('::') + 2),
                  account: accountOfRole(action.RoleArn) ?? options.account,
                  region: region ?? options.region,
                },
              }
            : {}),
          ...(project === undefined
            ? {}
            : {
                build: {
                  project,
                  environmentVariables: variables.filter((variable) => !variable.name.startsWith('_')),
                },
              }),
          ...(environment?.environmentSuffix === undefined
            ? {}
            : { environmentSuffix: environment.environmentSuffix }),
        };
      }),
    }));
    // A smoke action named `Smoke` alone (a lone staging/prod stage) tests the stage's one deploy action.
    const resolved = stages.map((stage) => {
      const deployed = stage.actions.filter((action) => action.kind === 'deploy' && action.environmentSuffix);
      return {
        ...stage,
        actions: stage.actions.map((action) =>
          action.environmentSuffix === undefined && action.kind === 'smoke' && deployed.length === 1
            ? { ...action, environmentSuffix: deployed[0]?.environmentSuffix as string }
            : action,
        ),
      };
    });
    return {
      pipelineName: properties.Name ?? 'pipeline',
      pipelineType: properties.PipelineType,
      executionMode: properties.ExecutionMode,
      restartExecutionOnUpdate: properties.RestartExecutionOnUpdate,
      account: options.account,
      region: options.region,
      stages: resolved,
    };
  });
}

/** The pipeline named `pipelineName` (or the only one) of a synthesized pipeline stack template. */
export function readPipelineDefinition(
  options: Parameters<typeof readPipelineDefinitions>[0] & { readonly pipelineName?: string },
): PipelineDefinition {
  const definitions = readPipelineDefinitions(options);
  if (options.pipelineName === undefined) {
    if (definitions.length !== 1) {
      throw new PipelineDefinitionError(
        `the template holds ${definitions.length} pipelines (${definitions.map((d) => d.pipelineName).join(', ')}): name the one to read`,
      );
    }
    return definitions[0] as PipelineDefinition;
  }
  const named = definitions.find((definition) => definition.pipelineName === options.pipelineName);
  if (named === undefined) {
    throw new PipelineDefinitionError(
      `the template holds no pipeline ${options.pipelineName} (it holds ${definitions.map((d) => d.pipelineName).join(', ')})`,
    );
  }
  return named;
}

/** The synth action and the commands its buildspec runs, phase by phase. */
export function synthCommands(definition: PipelineDefinition): {
  readonly action: ActionDefinition;
  readonly install: readonly string[];
  readonly build: readonly string[];
  readonly variables: readonly { readonly name: string; readonly value: unknown }[];
  readonly baseDirectory: string;
} {
  const action = definition.stages.flatMap((stage) => stage.actions).find((a) => a.kind === 'synth');
  const spec = action?.build?.project.buildSpec;
  if (action === undefined || spec === undefined || typeof spec === 'string') {
    throw new PipelineDefinitionError('the pipeline has no synth action with an inline buildspec');
  }
  const phase = (name: string) => spec.phases?.[name]?.commands ?? [];
  return {
    action,
    install: [...phase('install'), ...phase('pre_build')],
    build: [...phase('build'), ...phase('post_build')],
    variables: action.build?.project.environmentVariables ?? [],
    baseDirectory: spec.artifacts?.['base-directory'] ?? '.',
  };
}

const manifestSchema = z.object({
  artifacts: z.record(
    z.string(),
    z.object({
      type: z.string(),
      environment: z.string().optional(),
      properties: z.object({ templateFile: z.string().optional() }).optional(),
    }),
  ),
});

/**
 * The pipeline of a cloud assembly written by the pipeline app (`cdk synth` in pipeline/): the stack
 * artifact `stackArtifactId` (its account and region from the manifest), then its pipeline.
 */
export function readPipelineAssembly(
  assemblyDir: string,
  options: { readonly pipelineName?: string; readonly stackArtifactId?: string } = {},
): PipelineDefinition {
  return readPipelineDefinition({ ...pipelineStackOf(assemblyDir, options.stackArtifactId), ...options });
}

/** Every pipeline of the pipeline stack in a cloud assembly (the environments and release pipelines). */
export function readPipelineAssemblies(
  assemblyDir: string,
  stackArtifactId = 'PipelineStack',
): PipelineDefinition[] {
  return readPipelineDefinitions(pipelineStackOf(assemblyDir, stackArtifactId));
}

function pipelineStackOf(
  assemblyDir: string,
  stackArtifactId = 'PipelineStack',
): { assemblyDir: string; templateFile: string; account: string; region: string } {
  const file = join(assemblyDir, 'manifest.json');
  let manifest: z.infer<typeof manifestSchema>;
  try {
    manifest = manifestSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch (error) {
    throw new PipelineDefinitionError(
      `cannot read the cloud assembly manifest ${file}: ${(error as Error).message}`,
    );
  }
  const artifact = manifest.artifacts[stackArtifactId];
  const environment = /^aws:\/\/(\d{12})\/([a-z0-9-]+)$/.exec(artifact?.environment ?? '');
  if (artifact === undefined || environment === null) {
    throw new PipelineDefinitionError(
      `${file} has no environment-specific stack ${stackArtifactId} (account and region are required)`,
    );
  }
  return {
    assemblyDir,
    templateFile: artifact.properties?.templateFile ?? `${stackArtifactId}.template.json`,
    account: environment[1] as string,
    region: environment[2] as string,
  };
}
