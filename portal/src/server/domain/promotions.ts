import type { EnvironmentRegistry } from '@sep/registry';
import { type FieldError, toFieldErrors } from '@sep/spec';
import { LRUCache } from 'lru-cache';
import type { AuditStore } from '../audit/audit-store';
import type { EnvironmentFeed } from '../live/environment-feed';
import { NoPendingPromotionError, type PlatformPort, StalePromotionError } from '../platform/port';
import { type PipelineConsole, pipelineExecutionConsoleUrl } from './console-links';
import { conflict, forbidden, validationFailed } from './errors';
import { mayDecidePromotion } from './permissions';
import { computePromotionPreview } from './promotion-preview';
import type { PromotionPreview } from './promotion-preview-schemas';
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

/** A reason shorter than this says nothing a reviewer could weigh. */
export const MIN_CONFIRMATION_REASON = 10;

/**
 * The release pipeline's use cases: what waits for prod, and the approver's decision. Every decision,
 * allowed or refused, is audited before anything is decided upstream.
 */
export class Promotions {
  /**
   * Previews by execution ID: an execution's templates do not change while it waits, so the diff is
   * computed once (and the approval checks the confirmation against the preview the approver saw).
   */
  private readonly previews = new LRUCache<string, Promise<PromotionPreview>>({ max: 8 });

  constructor(private readonly options: PromotionsOptions) {}

  /**
   * What the execution waiting at PromoteToProd changes in each prod stack. Approvers and admins only:
   * it is the approval's context (and shows IAM statements and security-group rules).
   */
  async preview(user: User): Promise<PromotionPreview> {
    const role = mayDecidePromotion(user);
    if (!role.allowed) throw forbidden(role.reason);
    const waiting = (await this.options.platform.pipeline()).pendingPromotion;
    if (waiting === undefined) throw conflict(new NoPendingPromotionError().message);
    return this.previewOf(waiting.executionId);
  }

  /** The cached preview of `executionId`; a failed computation is not cached (the next call tries again). */
  private previewOf(executionId: string): Promise<PromotionPreview> {
    const cached = this.previews.get(executionId);
    if (cached !== undefined) return cached;
    const computed = this.options.platform.promotionSources().then((sources) => {
      // Moved on between the two reads: this preview is of another execution than the one asked about.
      if (sources.executionId !== executionId) {
        throw conflict(new StalePromotionError(executionId, sources.executionId).message);
      }
      return computePromotionPreview({ executionId, stacks: sources.stacks });
    });
    this.previews.set(executionId, computed);
    computed.catch(() => {
      if (this.previews.get(executionId) === computed) this.previews.delete(executionId);
    });
    return computed;
  }

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
    const { confirmation: _confirmation, reason: _reason, ...decision } = parsed.data;
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
    const confirmed =
      parsed.data.decision === 'approve' ? await this.confirmedPreview(executionId, parsed.data) : {};
    await audit.record({
      actor: user.id,
      action,
      target: TARGET,
      outcome: 'success',
      details: {
        executionId,
        ...(parsed.data.comment ? { comment: parsed.data.comment } : {}),
        ...confirmed,
      },
    });
    try {
      await platform.decidePromotion({ ...decision, actor: user.id });
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

  /**
   * An approval of a flagged preview needs the typed confirmation phrase and a reason (400 field by field
   * otherwise); what the audit entry records of the preview. When no preview can be computed the approval
   * goes ahead as before (the preview adds context, it does not gate a promotion it cannot see into).
   */
  private async confirmedPreview(
    executionId: string,
    body: { readonly confirmation?: string | undefined; readonly reason?: string | undefined },
  ): Promise<Record<string, string>> {
    let preview: PromotionPreview;
    try {
      preview = await this.previewOf(executionId);
    } catch (error) {
      return {
        preview: `unavailable: ${error instanceof Error ? error.message : String(error)}`.slice(0, 500),
      };
    }
    if (!preview.flagged) return { preview: 'not flagged' };
    const fields: FieldError[] = [];
    if (body.confirmation?.trim() !== preview.confirmationPhrase) {
      fields.push({
        path: 'confirmation',
        message: `this promotion is flagged (${preview.flags.length} flag${preview.flags.length === 1 ? '' : 's'}): type "${preview.confirmationPhrase}" to confirm`,
      });
    }
    if ((body.reason?.trim().length ?? 0) < MIN_CONFIRMATION_REASON) {
      fields.push({
        path: 'reason',
        message: `a flagged promotion needs a reason of at least ${MIN_CONFIRMATION_REASON} characters`,
      });
    }
    if (fields.length > 0) throw validationFailed(fields, 'the promotion preview is flagged: confirm it');
    return {
      preview: 'flagged',
      flags: preview.flags.join('; ').slice(0, 1000),
      confirmation: preview.confirmationPhrase,
      reason: body.reason?.trim() ?? '',
    };
  }
}
