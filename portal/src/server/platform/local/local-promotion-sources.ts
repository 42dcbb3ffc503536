import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { type EnvironmentSpec, environmentSpecSchema } from '@sep/spec';
import type { PreviewSide, PromotionStackSource } from '../../domain/promotion-preview';
import type { PromotionSources } from '../port';
import type { ExecutionRun, PipelineState } from './pipeline-run';
import type { LocalStacks } from './stacks';

/** infra's `NAG_REPORT_FILE`, beside each stage's templates in the assembly (the portal may not import infra). */
const NAG_REPORT_FILE = 'nag-report.json';

/**
 * Per prod stack, what the played stack runs (its last deployed template in `LocalStacks`) and what the
 * waiting execution's cloud assembly will deploy. The nag report and the spec of each side come from the
 * synth that produced it: the waiting execution's, and that of the last execution that deployed the stack
 * (while its assembly is still on disk).
 */
export async function localPromotionSources(options: {
  readonly stacks: LocalStacks;
  readonly state: PipelineState;
  readonly execution: ExecutionRun;
  /** The stage the approval waits in. */
  readonly stageName: string;
}): Promise<PromotionSources> {
  const { state, execution } = options;
  const stageIndex = state.definition.stages.findIndex((stage) => stage.name === options.stageName);
  // The deploy actions the approval lets run: those of its stage and of the stages after it.
  const deploys = state.definition.stages
    .slice(Math.max(stageIndex, 0))
    .flatMap((stage) => stage.actions)
    .filter((action) => action.kind === 'deploy' && action.stack !== undefined)
    // One entry per stack (a change-set pipeline has two actions on it).
    .filter(
      (action, index, all) => all.findIndex((a) => a.stack?.stackName === action.stack?.stackName) === index,
    );
  const build = execution.build;
  const stacks: PromotionStackSource[] = [];
  for (const action of deploys) {
    const stack = action.stack;
    if (stack === undefined || build === undefined) continue;
    const environmentSuffix = action.environmentSuffix ?? stack.stackName;
    const next = await side(build.assemblyDir, build.runDir, stack.templatePath, environmentSuffix);
    if (next === undefined) {
      // Flagged by the preview, as in aws mode: approving would deploy changes nobody was shown.
      stacks.push({
        stackName: stack.stackName,
        environmentSuffix,
        unavailableReason: `the waiting execution's cloud assembly has no template for ${stack.stackName} (${path.join(build.assemblyDir, stack.templatePath)})`,
      });
      continue;
    }
    const address = { account: stack.account, region: stack.region, stackName: stack.stackName };
    const record = await options.stacks.get(address);
    const hash = record === undefined ? undefined : options.stacks.deployedTemplateHash(record);
    const base = { stackName: stack.stackName, environmentSuffix, next };
    if (hash === undefined) {
      stacks.push({
        ...base,
        unavailableReason: 'the stack has not been deployed yet: nothing to compare with',
      });
      continue;
    }
    const template = (await options.stacks.template(hash)) as Record<string, unknown>;
    const deployedBy = lastDeployer(state, execution.executionId, stack.stackName);
    const deployedBuild = deployedBy?.build;
    const deployedSide =
      deployedBuild === undefined
        ? undefined
        : await side(deployedBuild.assemblyDir, deployedBuild.runDir, stack.templatePath, environmentSuffix);
    stacks.push({
      ...base,
      deployed: {
        template,
        ...(deployedSide?.nagReport === undefined ? {} : { nagReport: deployedSide.nagReport }),
        ...(deployedSide?.spec === undefined ? {} : { spec: deployedSide.spec }),
      },
    });
  }
  return { executionId: execution.executionId, stacks };
}

/** The newest execution, other than the waiting one, whose deploy of the stack succeeded. */
function lastDeployer(state: PipelineState, waitingId: string, stackName: string): ExecutionRun | undefined {
  return [...state.executions]
    .reverse()
    .find(
      (run) =>
        run.executionId !== waitingId &&
        run.stages.some((stage) =>
          stage.actions.some((a) => a.stack?.stackName === stackName && a.status === 'Succeeded'),
        ),
    );
}

/** A stack's template in an assembly, with its stage's nag report and the spec the synth exported. */
async function side(
  assemblyDir: string,
  runDir: string,
  templatePath: string,
  environmentSuffix: string,
): Promise<PreviewSide | undefined> {
  const templateFile = path.join(assemblyDir, templatePath);
  if (!existsSync(templateFile)) return undefined;
  const template = JSON.parse(await readFile(templateFile, 'utf8')) as Record<string, unknown>;
  const nagReport = await readJson(path.join(path.dirname(templateFile), NAG_REPORT_FILE));
  const spec = exportedSpec(
    await readJson(path.join(runDir, 'source', 'pipeline', 'environments.json')),
    environmentSuffix,
  );
  return {
    template,
    ...(nagReport === undefined ? {} : { nagReport }),
    ...(spec === undefined ? {} : { spec }),
  };
}

/** The environment's spec in the synth's registry export (`environments.json`), if it parses. */
function exportedSpec(exported: unknown, environmentSuffix: string): EnvironmentSpec | undefined {
  const environments = (exported as { environments?: unknown } | undefined)?.environments;
  if (!Array.isArray(environments)) return undefined;
  const entry = environments.find(
    (candidate: unknown) =>
      (candidate as { environmentSuffix?: unknown }).environmentSuffix === environmentSuffix,
  ) as { spec?: unknown } | undefined;
  const parsed = environmentSpecSchema.safeParse(entry?.spec);
  return parsed.success ? parsed.data : undefined;
}

async function readJson(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8'));
  } catch {
    return undefined;
  }
}
