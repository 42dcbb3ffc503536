import { GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import {
  type GetPipelineStateCommandOutput,
  type PipelineExecutionSummary,
  PutApprovalResultCommand,
  paginateListPipelineExecutions,
} from '@aws-sdk/client-codepipeline';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { EnvironmentRecord } from '@sep/registry';
import { environmentStackName, executionTemplateKey } from '@sep/registry/names';
import { templateHash, templateRecordKey } from '@sep/registry/template-hash';
import { type EnvironmentSpec, parseEnvironmentSpec } from '@sep/spec';
import { LRUCache } from 'lru-cache';
import type { PreviewSide, PromotionStackSource } from '../../domain/promotion-preview';
import type { PipelineStatus, PipelineView } from '../../domain/types';
import {
  NoPendingPromotionError,
  type PipelineService,
  type PromotionDecision,
  type PromotionSources,
  StalePromotionError,
} from '../port';
import { type AwsContext, upstreamError } from './aws-context';

interface ExecutionOrigin {
  readonly sourceRevision?: string;
  readonly requestedBy?: string;
  readonly requesters?: string[];
}

/** The release pipeline on AWS: its CodePipeline state, and the PromoteToProd approval. */
export class AwsPromotion implements PipelineService {
  constructor(private readonly aws: AwsContext) {}

  /**
   * Who asked for an execution, by its id: fixed once it waits (its start and the last execution that
   * reached prod before it do not move), so the pipeline page's polls read it once, not a page of
   * executions and the registry on every poll.
   */
  private readonly origins = new LRUCache<string, ExecutionOrigin>({ max: 16 });

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
              ...(await this.cachedOriginOf(approval.executionId)),
            },
          }),
    };
  }

  /**
   * Who asked for what waits, and its source revision. The release pipeline is not started by people:
   * a staging or prod registry entry changes its definition (through the environments pipeline's
   * self-mutation) and the update restarts it. So the people are those who registered a staging or prod
   * entry after the last execution that reached prod started, and before the waiting one did: their
   * entries are what it carries to prod (QUEUED: executions run in order), and none of them may approve it.
   * Ers on the strict side: an entry an earlier, failed execution also carried still names its requester.
   */
  private async cachedOriginOf(executionId: string): Promise<ExecutionOrigin> {
    const known = this.origins.get(executionId);
    if (known !== undefined) return known;
    const origin = await this.originOf(executionId);
    this.origins.set(executionId, origin);
    return origin;
  }

  private async originOf(executionId: string): Promise<ExecutionOrigin> {
    let waiting: PipelineExecutionSummary | undefined;
    let lastToProd: PipelineExecutionSummary | undefined;
    const pages = paginateListPipelineExecutions(
      { client: this.aws.codePipeline },
      { pipelineName: this.aws.options.releasePipelineName },
    );
    // Newest first: page only until the last execution that succeeded (reached prod) before the waiting one.
    for await (const page of pages) {
      for (const summary of page.pipelineExecutionSummaries ?? []) {
        if (summary.pipelineExecutionId === executionId) waiting = summary;
        else if (waiting !== undefined && summary.status === 'Succeeded') lastToProd = summary;
        if (lastToProd !== undefined) break;
      }
      if (lastToProd !== undefined) break;
    }
    const revision = waiting?.sourceRevisions?.[0];
    const sourceRevision = revision?.revisionId
      ? `${revision.revisionId.slice(0, 12)}${revision.revisionSummary ? ` ${revision.revisionSummary}` : ''}`
      : undefined;
    const startedAt = waiting?.startTime?.getTime();
    const since = lastToProd?.startTime?.getTime() ?? Number.NEGATIVE_INFINITY;
    const people =
      startedAt === undefined
        ? []
        : (await this.aws.options.registry.list())
            .filter((record) => {
              const registered = Date.parse(record.createdAt);
              return record.spec.kind !== 'ephemeral' && registered > since && registered <= startedAt;
            })
            .map((record) => record.requestedBy);
    const requesters = [...new Set(people)].sort();
    return {
      ...(sourceRevision === undefined ? {} : { sourceRevision }),
      ...(requesters.length === 0 ? {} : { requestedBy: requesters.join(', '), requesters }),
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

  /**
   * Per prod environment: `GetTemplate` of its stack in the target account (what CloudFormation runs) and
   * the template the waiting execution's own Build published under its execution ID (what it deploys:
   * the latest synth's, of either pipeline, may be another). Each side's cdk-nag report and spec come from
   * the write-once record the synth published under that template's hash
   * (`nag-reports/by-template/<sha256>.json`): the deployed template finds the report of the synth that
   * built it, however many synths ran since.
   */
  async promotionSources(): Promise<PromotionSources> {
    const approval = this.pendingApproval(
      await this.aws.freshPipelineState(this.aws.options.releasePipelineName),
    );
    if (approval === undefined) throw new NoPendingPromotionError();
    const prod = (await this.aws.options.registry.list()).filter(
      (record) => record.spec.kind === 'prod' && record.status !== 'destroyed',
    );
    const stacks = await Promise.all(prod.map((record) => this.stackSource(record, approval.executionId)));
    return {
      executionId: approval.executionId,
      stacks: stacks.filter((stack): stack is PromotionStackSource => stack !== undefined),
    };
  }

  private async stackSource(
    record: EnvironmentRecord,
    executionId: string,
  ): Promise<PromotionStackSource | undefined> {
    const stackName = environmentStackName(record.environmentSuffix);
    const bucket = this.aws.options.complianceReportsBucket;
    if (bucket === undefined) return undefined;
    const key = executionTemplateKey(executionId, stackName);
    const nextTemplate = await this.readJsonObject(bucket, key);
    if (nextTemplate === null || typeof nextTemplate !== 'object') {
      // Flagged by the preview: approving would deploy changes nobody was shown.
      return {
        stackName,
        environmentSuffix: record.environmentSuffix,
        unavailableReason: `execution ${executionId} published no template for ${stackName} (s3://${bucket}/${key}): its Build published none (it ran before executions published their templates), or it does not deploy this stack (registered after it started)`,
      };
    }
    const nextRecord = await this.templateRecord(bucket, nextTemplate);
    const next: PreviewSide = {
      template: nextTemplate as Record<string, unknown>,
      spec: nextRecord.spec ?? record.spec,
      ...(nextRecord.nagReport === undefined ? {} : { nagReport: nextRecord.nagReport }),
    };
    const base = { stackName, environmentSuffix: record.environmentSuffix, next };
    let body: string | undefined;
    try {
      const answer = await this.aws.cloudFormation(record).send(
        // Original: the template as submitted, before transforms, as the synth wrote it.
        new GetTemplateCommand({ StackName: stackName, TemplateStage: 'Original' }),
      );
      body = answer.TemplateBody;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (/does not exist/.test(message)) {
        return {
          ...base,
          unavailableReason: `stack ${stackName} is not deployed yet: nothing to compare with`,
        };
      }
      return { ...base, unavailableReason: `GetTemplate of ${stackName} failed: ${message}` };
    }
    let deployed: unknown;
    try {
      deployed = body === undefined ? undefined : JSON.parse(body);
    } catch {
      deployed = undefined;
    }
    if (deployed === null || typeof deployed !== 'object') {
      return { ...base, unavailableReason: `the deployed template of ${stackName} is not JSON` };
    }
    const deployedRecord = await this.templateRecord(bucket, deployed);
    return {
      ...base,
      deployed: {
        template: deployed as Record<string, unknown>,
        ...(deployedRecord.nagReport === undefined ? {} : { nagReport: deployedRecord.nagReport }),
        ...(deployedRecord.spec === undefined ? {} : { spec: deployedRecord.spec }),
      },
      ...(deployedRecord.nagReport === undefined
        ? {
            complianceUnavailableReason: `no cdk-nag report is published for the deployed template (s3://${bucket}/${deployedRecord.key}): it was synthesized before reports were kept by template, or outside the pipeline`,
          }
        : {}),
    };
  }

  /**
   * The record the synth published for this template under `key` (its canonical hash): its nag report
   * and, when it is a valid spec, the spec it was synthesized from; neither when the record is unreadable.
   */
  private async templateRecord(
    bucket: string,
    template: object,
  ): Promise<{ key: string; nagReport?: unknown; spec?: EnvironmentSpec }> {
    const key = templateRecordKey(templateHash(template));
    const found = await this.readJsonObject(bucket, key);
    if (found === null || typeof found !== 'object' || !('nagReport' in found)) return { key };
    const parsed = 'spec' in found ? parseEnvironmentSpec(found.spec) : undefined;
    return {
      key,
      nagReport: found.nagReport,
      ...(parsed?.success === true ? { spec: parsed.spec } : {}),
    };
  }

  /** A JSON object from the compliance-reports bucket, or undefined when absent or unreadable. */
  private async readJsonObject(bucket: string, key: string): Promise<unknown> {
    try {
      const object = await this.aws.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const text = await object.Body?.transformToString('utf-8');
      return text === undefined ? undefined : JSON.parse(text);
    } catch {
      return undefined;
    }
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
