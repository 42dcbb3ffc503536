import type { AuditStore, RecordAuditOptions } from '../audit/audit-store';
import type { EnvironmentFeed } from '../live/environment-feed';
import type { PlatformPort, PromotionDecision } from '../platform/port';
import { CachedRegistry } from './cached-registry';
import { Promotions } from './promotions';
import { fakeRegistry } from './registry-fakes.test-support';
import type { PipelineView, User } from './types';

const dave: User = { id: 'dave', name: 'Dave', roles: ['admin'] };
const carol: User = { id: 'carol', name: 'Carol', roles: ['approver'] };
const alice: User = { id: 'alice', name: 'Alice', roles: ['engineer'] };

/** A release pipeline whose execution e-1, started by dave's request, waits at PromoteToProd. */
function release(options: { waiting?: boolean } = {}) {
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
  return { promotions, decided, trail, auditedBeforeDecision };
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
