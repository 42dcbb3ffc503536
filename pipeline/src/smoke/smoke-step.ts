import type { CfnOutput } from 'aws-cdk-lib';
import { Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import type * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import {
  type CodePipelineActionFactoryResult,
  type ICodePipelineActionFactory,
  type ProduceActionOptions,
  StackOutputReference,
  Step,
} from 'aws-cdk-lib/pipelines';

/** Path, inside the cloud assembly, of the bundled smoke script the synth step writes. */
export const SMOKE_SCRIPT_PATH = 'smoke/smoke.js';

export interface SmokeTestStepProps {
  /** The stage's API URL output. */
  readonly apiUrl: CfnOutput;
  /** The stage's API key ID output. */
  readonly apiKeyId: CfnOutput;
  /** Build project shared by every smoke action of the pipeline. */
  readonly project: SmokeTestProject;
}

/**
 * Post-deploy smoke test of one environment stage: API with key → 2xx, without
 * key → 403 (scripts/smoke.ts). It reads the stage's outputs like a ShellStep's
 * `envFromCfnOutputs` (CodePipeline variables of the deploy action), but every
 * smoke action runs the ONE shared CodeBuild project: a ShellStep per stage
 * creates a project per environment, and at a few hundred environments the
 * pipeline stack would pass CloudFormation's 500-resource limit.
 */
export class SmokeTestStep extends Step implements ICodePipelineActionFactory {
  private readonly outputs: Record<string, StackOutputReference>;

  constructor(
    id: string,
    private readonly props: SmokeTestStepProps,
  ) {
    super(id);
    this.outputs = {
      API_URL: StackOutputReference.fromCfnOutput(props.apiUrl),
      API_KEY_ID: StackOutputReference.fromCfnOutput(props.apiKeyId),
    };
  }

  /** Makes CDK Pipelines give the deploy action a variables namespace and order this step after it. */
  override get consumedStackOutputs(): StackOutputReference[] {
    return Object.values(this.outputs);
  }

  produceAction(stage: codepipeline.IStage, options: ProduceActionOptions): CodePipelineActionFactoryResult {
    // The cloud assembly (synth output) holds the bundled smoke script.
    const input = options.artifacts.toCodePipeline(options.pipeline.cloudAssemblyFileSet);
    // The region is read from the API URL by the script: every byte per action counts at
    // hundreds of environments (the pipeline template is capped at 1 MB).
    const environmentVariables: Record<string, codebuild.BuildEnvironmentVariable> = {};
    for (const [name, reference] of Object.entries(this.outputs)) {
      environmentVariables[name] = { value: options.stackOutputsMap.toCodePipeline(reference) };
    }
    stage.addAction(
      new actions.CodeBuildAction({
        actionName: options.actionName,
        runOrder: options.runOrder,
        input,
        project: this.props.project.project,
        role: this.props.project.actionRole(options),
        environmentVariables,
      }),
    );
    return { runOrdersConsumed: 1, project: this.props.project.project };
  }
}

export interface SmokeTestProjectProps {
  /** Accounts and regions whose environment APIs the smoke test calls. */
  readonly targets: readonly { readonly account: string; readonly region: string }[];
  /** Build log group (explicit, with retention). */
  readonly logGroup: logs.ILogGroup;
  /** Encrypts the build's artifacts: the pipeline's artifact-bucket key. */
  readonly encryptionKey: kms.IKey;
}

/** The one CodeBuild project every smoke action runs; its role may read API keys and invoke the stage APIs, nothing else. */
export class SmokeTestProject {
  readonly project: codebuild.PipelineProject;

  constructor(scope: import('constructs').Construct, id: string, props: SmokeTestProjectProps) {
    const stack = Stack.of(scope);
    this.project = new codebuild.PipelineProject(scope, id, {
      description: 'Post-deploy smoke test of an environment API (with key: 2xx, without: 403)',
      environment: { buildImage: codebuild.LinuxBuildImage.STANDARD_7_0 },
      encryptionKey: props.encryptionKey,
      logging: { cloudWatch: { logGroup: props.logGroup } },
      buildSpec: codebuild.BuildSpec.fromObject({
        version: '0.2',
        phases: {
          install: { 'runtime-versions': { nodejs: '20' } },
          build: { commands: [`node ${SMOKE_SCRIPT_PATH}`] },
        },
      }),
    });
    const unique = <T>(values: T[]) => [...new Set(values)];
    // A pipeline with no environments yet has nothing to smoke-test and grants nothing.
    if (props.targets.length === 0) return;
    this.project.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ReadEnvironmentApiKeys',
        // apigateway:GET on /apikeys/<id> with includeValue is how the key's value is read.
        actions: ['apigateway:GET'],
        resources: unique(
          props.targets.map((t) => `arn:${stack.partition}:apigateway:${t.region}::/apikeys/*`),
        ),
      }),
    );
    this.project.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'InvokeEnvironmentApis',
        actions: ['execute-api:Invoke'],
        resources: unique(
          props.targets.map(
            (t) => `arn:${stack.partition}:execute-api:${t.region}:${t.account}:*/*/POST/documents`,
          ),
        ),
      }),
    );
  }

  /** The role CodePipeline uses to start builds: the one CDK Pipelines already made for its CodeBuild actions. */
  actionRole(options: ProduceActionOptions): iam.IRole | undefined {
    if (options.pipeline.usePipelineRoleForActions) return undefined;
    const existing = options.pipeline.node.tryFindChild('CodeBuildActionRole');
    if (existing instanceof iam.Role) return existing;
    return new iam.Role(options.pipeline, 'CodeBuildActionRole', {
      assumedBy: options.pipeline.pipeline.role,
    });
  }
}
