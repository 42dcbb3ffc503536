import type { EnvironmentRegistry } from '@sep/registry';
import { toFieldErrors } from '@sep/spec';
import type { AuditStore } from '../audit/audit-store';
import type { EnvironmentFeed } from '../live/environment-feed';
import { NoPendingPromotionError, type PlatformPort, StalePromotionError } from '../platform/port';
import { type PipelineConsole, pipelineExecutionConsoleUrl } from './console-links';
import { conflict, forbidden, validationFailed } from './errors';
import { mayDecidePromotion } from './permissions';
import { promotionDecisionSchema } from './requests';
import type { PipelineView, User } from './types';

export interface PromotionsOptions {
  readonly registry: EnvironmentRegistry;
  readonly platform: PlatformPort;
  readonly audit: AuditStore;
  readonly feed: EnvironmentFeed;
  /** aws mode: where the pipeline lives, for links into the AWS console. */
  readonly console?: PipelineConsole;
}

const TARGET = 'PromoteToProd';

/**
 * The release pipeline's use cases: what waits for prod, and the approver's decision. Every decision,
 * allowed or refused, is audited before anything is decided upstream.
 */
export class Promotions {
  constructor(private readonly options: PromotionsOptions) {}

  async pipeline(user: User): Promise<PipelineView> {
    const view = await this.options.platform.pipeline();
    const pending = view.pendingPromotion;
    const execution = view.currentExecution;
    const pipelineConsole = this.options.console;
    return {
      ...view,
      ...(execution === undefined || pipelineConsole === undefined
        ? {}
        : {
            currentExecution: {
              ...execution,
              consoleUrl: pipelineExecutionConsoleUrl({
                ...pipelineConsole,
                executionId: execution.executionId,
              }),
            },
          }),
      ...(pending === undefined
        ? {}
        : {
            pendingPromotion: {
              ...pending,
              // What the approval deploys: every prod environment in the registry (the prod stage's stacks).
              environments: (await this.options.registry.list())
                .filter((record) => record.spec.kind === 'prod' && record.status !== 'destroyed')
                .map((record) => record.environmentSuffix),
            },
          }),
      canDecide: mayDecidePromotion(user, pending).allowed,
    };
  }

  async decide(user: User, body: unknown): Promise<PipelineView> {
    const { audit, platform } = this.options;
    const refuse = async (details: Record<string, string>) =>
      audit.record({
        actor: user.id,
        action: 'promotion.rejected',
        target: TARGET,
        outcome: 'denied',
        details,
      });
    // Who may decide comes first: a caller without the right learns nothing about the body's shape.
    const role = mayDecidePromotion(user);
    if (!role.allowed) {
      await refuse({ reason: role.reason });
      throw forbidden(role.reason);
    }
    const parsed = promotionDecisionSchema.safeParse(body);
    if (!parsed.success) throw validationFailed(toFieldErrors(parsed.error));
    const { executionId } = parsed.data;
    const action = parsed.data.decision === 'approve' ? 'promotion.approved' : 'promotion.rejected';
    const deny = async (reason: string, extra: Record<string, string> = {}) =>
      audit.record({
        actor: user.id,
        action,
        target: TARGET,
        outcome: 'denied',
        details: { executionId, reason, ...extra },
      });
    const waiting = (await platform.pipeline()).pendingPromotion;
    if (waiting === undefined) {
      const error = new NoPendingPromotionError();
      await deny(error.message);
      throw conflict(error.message);
    }
    if (waiting.executionId !== executionId) {
      await deny('another execution waits for the decision', { waitingExecutionId: waiting.executionId });
      throw conflict(new StalePromotionError(executionId, waiting.executionId).message);
    }
    // Separation of duties: whoever asked for the change that waits cannot let it into prod.
    const duties = mayDecidePromotion(user, waiting);
    if (!duties.allowed) {
      await deny(duties.reason);
      throw forbidden(duties.reason);
    }
    await audit.record({
      actor: user.id,
      action,
      target: TARGET,
      outcome: 'success',
      details: { executionId, ...(parsed.data.comment ? { comment: parsed.data.comment } : {}) },
    });
    try {
      await platform.decidePromotion({ ...parsed.data, actor: user.id });
    } catch (error) {
      // Decided or moved on between the read above and the decision: nothing was decided.
      if (error instanceof StalePromotionError || error instanceof NoPendingPromotionError) {
        await audit.record({
          actor: user.id,
          action,
          target: TARGET,
          outcome: 'failure',
          details: { executionId, reason: error.message },
        });
        throw conflict(error.message);
      }
      throw error;
    }
    if (parsed.data.decision === 'approve') {
      for (const record of await this.options.registry.list()) {
        if (record.spec.kind === 'prod') {
          this.options.feed.invalidate(record.environmentSuffix);
          this.options.feed.track(record.environmentSuffix, { untilSettledAfterChange: true });
        }
      }
    }
    return this.pipeline(user);
  }
}
