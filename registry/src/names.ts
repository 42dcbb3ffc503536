// Names shared by the pipeline app, the portal and the sweeper. No aws-cdk-lib
// here: the portal and the sweeper Lambda import this module.
import { ENVIRONMENT_KIND_TAG, physicalName } from '@sep/spec';

export { ENVIRONMENT_KIND_TAG };

/** Every environment stack's name starts with this (`physicalName('environmentStack', …)` is `sep-<suffix>-environment`). */
export const STACK_NAME_PREFIX = 'sep-';

/** The CloudFormation stack of an environment: the one place its name is built from the suffix. */
export function environmentStackName(environmentSuffix: string): string {
  return physicalName('environmentStack', { suffix: environmentSuffix });
}

/**
 * The account-security stack (trail, Config recorder, platform-access roles) of every target account
 * and region: same name everywhere, so adding a target never renames (and duplicates) a trail. The
 * portal reads its `AuditTrailArn` output for the evidence bundle.
 */
export const ACCOUNT_SECURITY_STACK_NAME = 'sep-account-security';

/** Stack tag carrying the environment's suffix (also on every resource, see SPEC section 4). */
export const ENVIRONMENT_TAG = 'Environment';

/**
 * The release pipeline (staging, PromoteToProd, prod) of the environments pipeline `pipelineName`:
 * a pipeline of its own, so that an ephemeral environment's self-mutation of the environments
 * pipeline never fails the execution waiting at PromoteToProd (pipeline/README.md, "Two pipelines").
 */
export function releasePipelineName(pipelineName: string): string {
  return `${pipelineName}-release`;
}

/** CodePipeline stage that deploys prod; it opens with the promotion approval. */
export const PROD_STAGE_NAME = 'prod';
export const STAGING_STAGE_NAME = 'staging';
/** The ManualApprovalStep the portal approves (PutApprovalResult needs its token from GetPipelineState). */
export const PROMOTION_ACTION_NAME = 'PromoteToProd';
/** Ephemeral waves are named `ephemeral-01`, `ephemeral-02`, … */
export const EPHEMERAL_WAVE_PREFIX = 'ephemeral-';

/** Where, in the pipeline's compliance-reports bucket, the synth publishes each stage's cdk-nag report. */
export const NAG_REPORTS_PREFIX = 'nag-reports/';

/** Object key of an environment's cdk-nag report (`nag-report.json` of its synthesized stage). */
export function nagReportKey(environmentSuffix: string): string {
  return `${NAG_REPORTS_PREFIX}${environmentSuffix}.json`;
}

/**
 * Object key of the template a synth produced for a stack, published beside the nag reports so that the
 * portal can preview a promotion against what CloudFormation runs (`GetTemplate`).
 */
export function publishedTemplateKey(stackName: string): string {
  return `${NAG_REPORTS_PREFIX}templates/${stackName}.json`;
}

/** A pipeline execution ID as a key segment: CodePipeline's are UUIDs, local mode's too. */
const EXECUTION_ID = /^[A-Za-z0-9][A-Za-z0-9-]{0,127}$/;

/** Where, under the nag reports, the templates each pipeline execution's synth produced are published. */
export const EXECUTION_TEMPLATES_PREFIX = `${NAG_REPORTS_PREFIX}by-execution/`;

/**
 * Object key of the template pipeline execution `executionId` synthesized for a staging or prod stack.
 * The approval's preview reads the waiting execution's own template here: `publishedTemplateKey` holds
 * whatever the latest synth of either pipeline produced, which may not be what that execution deploys.
 * Throws on an ID that is not one (it would name another key).
 */
export function executionTemplateKey(executionId: string, stackName: string): string {
  if (!EXECUTION_ID.test(executionId)) {
    throw new Error(`not a pipeline execution ID: ${JSON.stringify(executionId)}`);
  }
  return `${EXECUTION_TEMPLATES_PREFIX}${executionId}/${stackName}.json`;
}

const DEPLOY_ACTION = /(?:^|\.)sep-([a-z0-9-]+)-environment\.(Prepare|Deploy)$/;
const SMOKE_ACTION = /^(?:([a-z0-9-]+)\.)?Smoke$/;

/**
 * The environment an action of the pipeline belongs to, for the portal's
 * progress view. Deploy actions carry the stack name (`[<suffix>.]sep-<suffix>-environment.Prepare|Deploy`);
 * smoke actions are `<suffix>.Smoke`, or `Smoke` alone when the CodePipeline stage holds one
 * environment — then the stage is named after it (an ephemeral suffix, `staging` or `prod`).
 */
export function actionEnvironment(options: { readonly stageName: string; readonly actionName: string }):
  | {
      readonly environmentSuffix?: string;
      readonly stageName: string;
      readonly step: 'prepare' | 'deploy' | 'smoke';
    }
  | undefined {
  const deploy = DEPLOY_ACTION.exec(options.actionName);
  if (deploy?.[1] !== undefined) {
    return {
      environmentSuffix: deploy[1],
      stageName: options.stageName,
      step: deploy[2] === 'Prepare' ? 'prepare' : 'deploy',
    };
  }
  const smoke = SMOKE_ACTION.exec(options.actionName);
  if (smoke === null) return undefined;
  const named = smoke[1];
  if (named !== undefined) return { environmentSuffix: named, stageName: options.stageName, step: 'smoke' };
  // A lone environment: its stage is named after its suffix, unless it is the staging/prod stage.
  const persistent = options.stageName === STAGING_STAGE_NAME || options.stageName === PROD_STAGE_NAME;
  return persistent
    ? { stageName: options.stageName, step: 'smoke' }
    : { environmentSuffix: options.stageName, stageName: options.stageName, step: 'smoke' };
}
