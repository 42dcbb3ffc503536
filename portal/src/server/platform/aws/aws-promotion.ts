import { type GetPipelineStateCommandOutput, PutApprovalResultCommand } from '@aws-sdk/client-codepipeline';
import type { PipelineStatus, PipelineView } from '../../domain/types';
import {
  NoPendingPromotionError,
  type PipelineService,
  type PromotionDecision,
  StalePromotionError,
} from '../port';
import { type AwsContext, upstreamError } from './aws-context';

/** The release pipeline on AWS: its CodePipeline state, and the PromoteToProd approval. */
export class AwsPromotion implements PipelineService {
  constructor(private readonly aws: AwsContext) {}

  /** The release pipeline (staging, PromoteToProd, prod), where promotions wait. */
  async pipeline(): Promise<Omit<PipelineView, 'canDecide'>> {
    const state = await this.aws.freshPipelineState(this.aws.options.releasePipelineName);
    const approval = this.pendingApproval(state);
    const first = state.stageStates?.[0]?.latestExecution;
    return {
      pipelineName: this.aws.options.releasePipelineName,
      mode: 'aws',
      simulated: false,
      stages: (state.stageStates ?? []).map((stage) => ({
        name: stage.stageName ?? '',
        status: (stage.latestExecution?.status ?? 'NotStarted') as PipelineStatus,
        actions: (stage.actionStates ?? []).map((action) => ({
          name: action.actionName ?? '',
          status: (action.latestExecution?.status ?? 'NotStarted') as PipelineStatus,
          ...(action.latestExecution?.lastStatusChange
            ? { lastChangedAt: action.latestExecution.lastStatusChange.toISOString() }
            : {}),
          ...(action.latestExecution?.summary ? { summary: action.latestExecution.summary } : {}),
        })),
      })),
      ...(first?.pipelineExecutionId
        ? {
            currentExecution: {
              executionId: first.pipelineExecutionId,
              status: (first.status ?? 'InProgress') as PipelineStatus,
            },
          }
        : {}),
      ...(approval === undefined
        ? {}
        : {
            pendingPromotion: {
              stageName: approval.stageName,
              actionName: approval.actionName,
              requestedAt: approval.requestedAt,
              executionId: approval.executionId,
            },
          }),
    };
  }

  /**
   * `PutApprovalResult` needs the token that only `GetPipelineState` hands out, and that token belongs
   * to whichever execution waits at the approval now (aws/aws-cdk#20452): the decision names the
   * execution the approver reviewed, and a different one waiting now is refused, never approved.
   */
  async decidePromotion(decision: PromotionDecision): Promise<void> {
    const approval = this.pendingApproval(
      await this.aws.freshPipelineState(this.aws.options.releasePipelineName),
    );
    if (approval === undefined) throw new NoPendingPromotionError();
    if (approval.executionId !== decision.executionId) {
      throw new StalePromotionError(decision.executionId, approval.executionId);
    }
    try {
      await this.aws.codePipeline.send(
        new PutApprovalResultCommand({
          pipelineName: this.aws.options.releasePipelineName,
          stageName: approval.stageName,
          actionName: approval.actionName,
          token: approval.token,
          result: {
            status: decision.decision === 'approve' ? 'Approved' : 'Rejected',
            summary: `${decision.decision === 'approve' ? 'Approved' : 'Rejected'} by ${decision.actor} in the portal for execution ${decision.executionId}${decision.comment ? `: ${decision.comment}` : ''}`,
          },
        }),
      );
    } catch (error) {
      // The token validates that the approval is still open: decided meanwhile, or the execution moved on.
      const name = error instanceof Error ? error.name : '';
      if (name === 'InvalidApprovalTokenException' || name === 'ApprovalAlreadyCompletedException') {
        throw new NoPendingPromotionError(
          `execution ${decision.executionId} no longer waits for a decision (${name}); reload and review what waits now`,
        );
      }
      throw upstreamError(error);
    }
    this.aws.forgetPipelineState(this.aws.options.releasePipelineName);
  }

  private pendingApproval(state: GetPipelineStateCommandOutput) {
    for (const stage of state.stageStates ?? []) {
      for (const action of stage.actionStates ?? []) {
        const latest = action.latestExecution;
        if (
          action.actionName === this.aws.options.approvalActionName &&
          latest?.status === 'InProgress' &&
          latest.token
        ) {
          return {
            stageName: stage.stageName ?? '',
            actionName: action.actionName,
            token: latest.token,
            requestedAt: (latest.lastStatusChange ?? new Date()).toISOString(),
            executionId: stage.latestExecution?.pipelineExecutionId ?? latest.actionExecutionId ?? '',
          };
        }
      }
    }
    return undefined;
  }
}
