import { PROMOTION_ACTION_NAME } from '@sep/registry/names';
import type { PipelineStageView, PipelineStatus, PipelineView } from '../../domain/types';
import {
  NoPendingPromotionError,
  type PipelineService,
  type PromotionDecision,
  type PromotionSources,
  StalePromotionError,
} from '../port';
import type { LocalDelivery } from './local-delivery';
import { localPromotionSources } from './local-promotion-sources';
import type { PipelineState } from './pipeline-run';

/** The played pipelines as GetPipelineState shows them, and the PromoteToProd approval of the release pipeline. */
export class LocalPromotion implements PipelineService {
  constructor(private readonly delivery: LocalDelivery) {}

  /**
   * The release pipeline's stages (where promotions wait) and the environments pipeline's, each stage with
   * the latest execution that entered it, as GetPipelineState reports them.
   */
  async pipeline(): Promise<Omit<PipelineView, 'canDecide'>> {
    this.delivery.deployPipeline();
    await this.delivery.bootstrap();
    const release = await (await this.delivery.pipelines.promotions()).current();
    const environments = await (await this.delivery.pipelines.environments()).current();
    if (release === undefined || environments === undefined)
      throw new Error('the local pipeline is not deployed');
    const main = viewOf(release);
    const pending = this.pendingApproval(release);
    return {
      ...main,
      mode: 'local',
      simulated: true,
      ...(pending === undefined
        ? {}
        : {
            pendingPromotion: {
              stageName: pending.stageName,
              actionName: pending.action.name,
              requestedAt: pending.action.startedAt ?? pending.execution.startedAt,
              executionId: pending.execution.executionId,
              ...(pending.execution.sourceRevision === undefined
                ? {}
                : { sourceRevision: pending.execution.sourceRevision }),
              ...(pending.execution.requestedBy === undefined
                ? {}
                : { requestedBy: pending.execution.requestedBy }),
              ...(pending.execution.requesters === undefined
                ? {}
                : { requesters: [...pending.execution.requesters] }),
            },
          }),
      ...(environments === release ? {} : { environmentsPipeline: viewOf(environments) }),
    };
  }

  async decidePromotion(decision: PromotionDecision): Promise<void> {
    const player = await this.delivery.pipelines.promotions();
    const state = await player.current();
    const pending = state === undefined ? undefined : this.pendingApproval(state);
    if (pending?.action.approval === undefined) throw new NoPendingPromotionError();
    if (pending.execution.executionId !== decision.executionId) {
      throw new StalePromotionError(decision.executionId, pending.execution.executionId);
    }
    const decided = await player.decideApproval({
      executionId: pending.execution.executionId,
      token: pending.action.approval.token,
      decision: decision.decision === 'approve' ? 'Approved' : 'Rejected',
      decidedBy: decision.actor,
      comment: decision.comment,
    });
    if (!decided) throw new NoPendingPromotionError();
  }

  async promotionSources(): Promise<PromotionSources> {
    const state = await (await this.delivery.pipelines.promotions()).current();
    const pending = state === undefined ? undefined : this.pendingApproval(state);
    if (state === undefined || pending === undefined) throw new NoPendingPromotionError();
    return localPromotionSources({
      stacks: this.delivery.stacks,
      state,
      execution: pending.execution,
      stageName: pending.stageName,
    });
  }

  private pendingApproval(state: PipelineState) {
    for (const execution of [...state.executions].reverse()) {
      if (execution.status !== 'InProgress') continue;
      for (const stage of execution.stages) {
        const action = stage.actions.find((a) => a.kind === 'approval' && a.status === 'InProgress');
        if (
          action !== undefined &&
          (action.name === PROMOTION_ACTION_NAME || action.approval !== undefined)
        ) {
          return { execution, stageName: stage.name, action };
        }
      }
    }
    return undefined;
  }
}

/** A pipeline as GetPipelineState shows it: each stage with the latest execution that entered it. */
function viewOf(state: PipelineState): {
  pipelineName: string;
  stages: PipelineStageView[];
  currentExecution?: NonNullable<PipelineView['currentExecution']>;
} {
  const latestIn = (stageName: string) =>
    [...state.executions]
      .reverse()
      .map((execution) => ({ execution, stage: execution.stages.find((s) => s.name === stageName) }))
      .find(({ stage }) => stage !== undefined && stage.status !== 'NotStarted');
  const stages = state.definition.stages.map((definition): PipelineStageView => {
    const entered = latestIn(definition.name);
    const run = entered?.stage;
    return {
      name: definition.name,
      status: (run?.status ?? 'NotStarted') as PipelineStatus,
      ...(run?.startedAt === undefined ? {} : { startedAt: run.startedAt }),
      ...(run?.finishedAt === undefined ? {} : { finishedAt: run.finishedAt }),
      ...(entered === undefined ? {} : { executionId: entered.execution.executionId }),
      actions: definition.actions.map((action) => {
        const actionRun = run?.actions.find((a) => a.name === action.name);
        const lastChangedAt = actionRun?.finishedAt ?? actionRun?.startedAt;
        const summary = actionRun?.errorMessage ?? actionRun?.summary;
        return {
          name: action.name,
          status: (actionRun?.status === 'Abandoned'
            ? 'Stopped'
            : (actionRun?.status ?? 'NotStarted')) as PipelineStatus,
          ...(lastChangedAt === undefined ? {} : { lastChangedAt }),
          ...(summary === undefined ? {} : { summary }),
        };
      }),
    };
  });
  const current =
    [...state.executions].reverse().find((execution) => execution.status === 'InProgress') ??
    state.executions.at(-1);
  return {
    pipelineName: `${state.definition.pipelineName} (local)`,
    stages,
    ...(current === undefined
      ? {}
      : {
          currentExecution: {
            executionId: current.executionId,
            status: current.status as PipelineStatus,
            startedAt: current.startedAt,
            ...(current.statusSummary === undefined ? {} : { summary: current.statusSummary }),
            trigger: current.trigger,
          },
        }),
  };
}
