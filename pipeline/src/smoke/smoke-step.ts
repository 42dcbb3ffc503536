import type { DeploymentTarget } from '@sep/registry/targets';
import { smokeTestRoleArn } from '@sep/spec';
import type { CfnOutput } from 'aws-cdk-lib';
import { Aws } from 'aws-cdk-lib';
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
import { assumeTargetRolesStatement } from '../constructs/policies';

/** Path, inside the cloud assembly, of the bundled smoke script the synth step writes. */
export const SMOKE_SCRIPT_PATH = 'smoke/smoke.js';

export { SMOKE_SKIP_PRIVATE, smokeEnvironment } from './smoke-variables';

export interface SmokeTestStepProps {
  /** The stage's API URL output. */
  readonly apiUrl: CfnOutput;
  /** The stage's API key ID output. */
  readonly apiKeyId: CfnOutput;
  /** Plain variables of this environment's action (`smokeEnvironment`). */
  readonly environment: Readonly<Record<string, string>>;
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
    for (const [name, value] of Object.entries(this.props.environment))
      environmentVariables[name] = { value };
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
  /** The deployment targets: the project may assume each one's smoke-test role. */
  readonly targets: readonly DeploymentTarget[];
  /** The project role's name: each target's smoke-test role trusts exactly this ARN. */
  readonly roleName: string;
  /** Build log group (explicit, with retention). */
  readonly logGroup: logs.ILogGroup;
  /** Encrypts the build's artifacts: the pipeline's artifact-bucket key. */
  readonly encryptionKey: kms.IKey;
}

/**
 * The one CodeBuild project every smoke action runs. Its role may only assume the smoke-test role of
 * each deployment target: reading an environment's API key (GetApiKey works in the key's own account)
 * and calling its API both happen as that role, which the API's resource policy names.
 */
export class SmokeTestProject {
  readonly project: codebuild.PipelineProject;
  readonly role: iam.Role;

  constructor(scope: import('constructs').Construct, id: string, props: SmokeTestProjectProps) {
    this.role = new iam.Role(scope, `${id}Role`, {
      roleName: props.roleName,
      assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com'),
      description: "Pipeline smoke test: assumes each target's smoke-test role, nothing else",
    });
    this.project = new codebuild.PipelineProject(scope, id, {
      description: 'Post-deploy smoke test of an environment API (with key: 2xx, without: 403)',
      role: this.role,
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
    this.project.addToRolePolicy(
      assumeTargetRolesStatement({
        sid: 'AssumeTargetSmokeTestRoles',
        targets: props.targets,
        roleArnOf: smokeTestRoleArn,
        partition: Aws.PARTITION,
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
