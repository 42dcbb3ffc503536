import type { AuditStore, RecordAuditOptions } from '../audit/audit-store';
import type { EnvironmentFeed } from '../live/environment-feed';
import type { PlatformPort, PromotionDecision, PromotionSources } from '../platform/port';
import { CachedRegistry } from './cached-registry';
import { securityGroupTemplate } from './promotion-preview.test-support';
import { Promotions } from './promotions';
import { fakeRegistry } from './registry-fakes.test-support';
import type { PipelineView, User } from './types';

const dave: User = { id: 'dave', name: 'Dave', roles: ['admin'] };
const carol: User = { id: 'carol', name: 'Carol', roles: ['approver'] };
const alice: User = { id: 'alice', name: 'Alice', roles: ['engineer'] };

/** A release pipeline whose execution e-1, started by dave's request, waits at PromoteToProd. */
function release(options: { waiting?: boolean; sources?: () => Promise<PromotionSources> } = {}) {
  const decided: PromotionDecision[] = [];
  const audited: RecordAuditOptions[] = [];
  /** What the audit trail held when the platform was asked to decide. */
  const auditedBeforeDecision: string[] = [];
  const view: Omit<PipelineView, 'canDecide'> = {
    pipelineName: 'sep-delivery-release',
    mode: 'local',
    simulated: true,
    stages: [],
    ...(options.waiting === false
      ? {}
      : {
          pendingPromotion: {
            stageName: 'prod',
            actionName: 'PromoteToProd',
            requestedAt: '2026-03-01T10:00:00.000Z',
            executionId: 'e-1',
            requestedBy: 'dave',
          },
        }),
  };
  const platform = {
    pipeline: async () => view,
    decidePromotion: async (decision: PromotionDecision) => {
      auditedBeforeDecision.push(...audited.map((entry) => `${entry.actor} ${entry.outcome}`));
      decided.push(decision);
    },
    promotionSources:
      options.sources ??
      (async (): Promise<PromotionSources> => {
        throw new Error('no template published');
      }),
  } as unknown as PlatformPort;
  const audit = {
    record: async (entry: RecordAuditOptions) => {
      audited.push(entry);
    },
  } as unknown as AuditStore;
  const feed = { invalidate: () => {}, track: () => {} } as unknown as EnvironmentFeed;
  const registry = new CachedRegistry(fakeRegistry([]).store, 60_000);
  const promotions = new Promotions({ registry, platform, audit, feed });
  const trail = () => audited.map((entry) => `${entry.actor} ${entry.action} ${entry.outcome}`);
  return { promotions, decided, trail, auditedBeforeDecision, audited };
}

const approve = { executionId: 'e-1', decision: 'approve', comment: 'release 7' };

describe('Promotions.decide', () => {
  it('lets another approver decide, audited before the decision reaches the pipeline', async () => {
    const { promotions, decided, trail, auditedBeforeDecision } = release();
    const view = await promotions.decide(carol, approve);
    expect(decided).toEqual([{ ...approve, actor: 'carol' }]);
    expect(auditedBeforeDecision).toEqual(['carol success']);
    expect(trail()).toEqual(['carol promotion.approved success']);
    expect(view.canDecide).toBe(true);
  });

  it('separation of duties: the requester of the waiting change cannot approve it, admin or not (403, audited)', async () => {
    const { promotions, decided, trail } = release();
    await expect(promotions.decide(dave, approve)).rejects.toMatchObject({
      code: 'forbidden',
      message: expect.stringContaining('another approver decides'),
    });
    expect(decided).toEqual([]);
    expect(trail()).toEqual(['dave promotion.approved denied']);
    expect((await promotions.pipeline(dave)).canDecide).toBe(false);
    expect((await promotions.pipeline(carol)).canDecide).toBe(true);
  });

  it('audits every refusal: no approver role, a stale execution, nothing waiting', async () => {
    const { promotions, decided, trail } = release();
    await expect(promotions.decide(alice, approve)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(promotions.decide(carol, { ...approve, executionId: 'e-0' })).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('execution e-0 no longer waits'),
    });
    const idle = release({ waiting: false });
    await expect(idle.promotions.decide(carol, approve)).rejects.toMatchObject({ code: 'conflict' });
    expect(decided).toEqual([]);
    expect(idle.decided).toEqual([]);
    expect(trail()).toEqual(['alice promotion.rejected denied', 'carol promotion.approved denied']);
    expect(idle.trail()).toEqual(['carol promotion.approved denied']);
  });
});

/** e-1's prod stack: one ingress rule today, one open to the internet in what waits. */
const widening =
  (executionId = 'e-1', counter = { calls: 0 }) =>
  async (): Promise<PromotionSources> => {
    counter.calls += 1;
    const sg = (cidrs: string[]) => securityGroupTemplate(cidrs);
    return {
      executionId,
      stacks: [
        {
          stackName: 'sep-prod-environment',
          environmentSuffix: 'prod',
          deployed: { template: sg(['10.0.0.0/16']) },
          next: { template: sg(['10.0.0.0/16', '0.0.0.0/0']) },
        },
      ],
    };
  };

describe('Promotions.preview and a flagged approval', () => {
  it('previews for approvers only, once per execution', async () => {
    const counter = { calls: 0 };
    const { promotions } = release({ sources: widening('e-1', counter) });
    await expect(promotions.preview(alice)).rejects.toMatchObject({ code: 'forbidden' });
    const preview = await promotions.preview(carol);
    expect(preview).toMatchObject({ executionId: 'e-1', flagged: true, confirmationPhrase: 'promote e-1' });
    expect(preview.stacks[0]?.security.securityGroupRules[0]).toMatchObject({
      peer: 'Everyone (IPv4)',
      widens: true,
    });
    await promotions.preview(dave);
    expect(counter.calls).toBe(1);
    await expect(release({ waiting: false }).promotions.preview(carol)).rejects.toMatchObject({
      code: 'conflict',
    });
  });

  it('refuses a flagged approval without the typed phrase and a reason, field by field, deciding nothing', async () => {
    const { promotions, decided, trail } = release({ sources: widening() });
    const refused = await promotions.decide(carol, approve).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'validation_failed' });
    expect((refused as { fields: { path: string }[] }).fields.map((field) => field.path)).toEqual([
      'confirmation',
      'reason',
    ]);
    await expect(
      promotions.decide(carol, { ...approve, confirmation: 'promote e-2', reason: 'short' }),
    ).rejects.toMatchObject({ code: 'validation_failed' });
    expect(decided).toEqual([]);
    expect(trail()).toEqual([]);
  });

  it('approves a flagged promotion with the phrase and a reason, both audited; a rejection needs neither', async () => {
    const { promotions, decided, audited } = release({ sources: widening() });
    await promotions.decide(carol, {
      ...approve,
      confirmation: 'promote e-1',
      reason: 'public API launch, reviewed in CHG-42',
    });
    expect(decided).toEqual([{ ...approve, actor: 'carol' }]);
    expect(audited[0]?.details).toMatchObject({
      executionId: 'e-1',
      preview: 'flagged',
      confirmation: 'promote e-1',
      reason: 'public API launch, reviewed in CHG-42',
      flags: expect.stringContaining('security widened'),
    });
    const other = release({ sources: widening() });
    await other.promotions.decide(carol, { ...approve, decision: 'reject' });
    expect(other.decided).toHaveLength(1);
  });

  it('approves without confirmation when no preview can be computed (audited as unavailable)', async () => {
    const { promotions, decided, audited } = release();
    await promotions.decide(carol, approve);
    expect(decided).toHaveLength(1);
    expect(audited[0]?.details?.preview).toMatch(/^unavailable: no template published/);
  });
});
