import { estimateMonthlyCost, PRICE_TABLE } from './cost';
import { canTransition, statusForPhase, transitionPath } from './lifecycle';
import { environmentPermissions, mayDecidePromotion, mayDestroy, mayRequest } from './permissions';
import { createEnvironmentRequestSchema, parseCreateEnvironmentRequest } from './requests';
import type { User } from './types';

const alice: User = { id: 'alice', name: 'Alice', roles: ['engineer'] };
const bob: User = { id: 'bob', name: 'Bob', roles: ['engineer'] };
const carol: User = { id: 'carol', name: 'Carol', roles: ['approver'] };
const dave: User = { id: 'dave', name: 'Dave', roles: ['admin'] };
const ephemeral = {
  kind: 'ephemeral' as const,
  owner: 'alice',
  requestedBy: 'alice',
  status: 'ready' as const,
};

describe('permissions', () => {
  it('engineers request ephemeral only, approvers nothing, admins anything', () => {
    expect(mayRequest(alice, 'ephemeral').allowed).toBe(true);
    expect(mayRequest(alice, 'prod').allowed).toBe(false);
    expect(mayRequest(carol, 'ephemeral').allowed).toBe(false);
    expect(mayRequest(dave, 'prod').allowed).toBe(true);
  });

  it('only the owner or an admin destroys, and staging/prod never', () => {
    expect(mayDestroy(alice, ephemeral).allowed).toBe(true);
    expect(mayDestroy(bob, ephemeral)).toEqual({
      allowed: false,
      reason: expect.stringContaining('owner (alice)'),
    });
    expect(mayDestroy(carol, ephemeral).allowed).toBe(false);
    expect(mayDestroy(dave, ephemeral).allowed).toBe(true);
    for (const kind of ['staging', 'prod'] as const) {
      expect(environmentPermissions(dave, { ...ephemeral, kind })).toEqual({
        canDestroy: false,
        destroyBlockedReason: `${kind} environments are never destroyed from the portal`,
        canRetry: false,
      });
    }
    expect(environmentPermissions(alice, { ...ephemeral, status: 'destroying' }).canDestroy).toBe(false);
  });

  it('approvers and admins decide promotions', () => {
    expect([alice, bob, carol, dave].map((u) => mayDecidePromotion(u).allowed)).toEqual([
      false,
      false,
      true,
      true,
    ]);
  });

  it('nobody whose change waits decides its promotion, however many changes one run carries', () => {
    const carried = { requestedBy: 'carol, dave', requesters: ['carol', 'dave'] };
    expect(mayDecidePromotion(carol, carried)).toEqual({
      allowed: false,
      reason: expect.stringContaining('another approver decides'),
    });
    expect(mayDecidePromotion(dave, carried).allowed).toBe(false);
    expect(mayDecidePromotion(carol, { requestedBy: 'carol' }).allowed).toBe(false);
    expect(mayDecidePromotion(carol, { requestedBy: 'dave', requesters: ['dave'] }).allowed).toBe(true);
  });
});

describe('lifecycle', () => {
  it('walks every intermediate status when a fast deployment skips ahead', () => {
    expect(transitionPath('requested', 'ready')).toEqual(['synthesizing', 'deploying', 'ready']);
    expect(transitionPath('synthesizing', 'failed')).toEqual(['failed']);
    expect(transitionPath('destroyed', 'ready')).toEqual([]);
    expect(canTransition('destroying', 'deploying')).toBe(false);
    expect(statusForPhase('rolling-back')).toBe('deploying');
  });
});

describe('cost estimate', () => {
  it('shows Network Firewall, Aurora and interface endpoints dominating', () => {
    const base = estimateMonthlyCost({});
    const full = estimateMonthlyCost({
      features: { networkFirewall: true, database: true, apiEndpointType: 'PRIVATE' },
    });
    expect(full.lines.slice(0, 3).map((l) => l.item)).toEqual([
      'networkFirewall',
      'interfaceEndpoints',
      'natGateways',
    ]);
    const firewall = full.lines.find((l) => l.item === 'networkFirewall');
    expect(firewall?.monthlyUsd).toBeCloseTo(3 * 730 * PRICE_TABLE.networkFirewallEndpointHour, 1);
    expect(full.lines.find((l) => l.item === 'aurora')?.monthlyUsd).toBeCloseTo(2 * 0.5 * 0.12 * 730 + 2, 1);
    expect(full.monthlyUsd - base.monthlyUsd).toBeGreaterThan(900);
    expect(estimateMonthlyCost({ region: 'ap-northeast-1' }).monthlyUsd).toBeGreaterThan(base.monthlyUsd);
  });
});

describe('create request', () => {
  it('is the shared spec minus owner, with the shared rules applied', () => {
    expect(Object.keys(createEnvironmentRequestSchema.shape)).not.toContain('owner');
    const ok = parseCreateEnvironmentRequest(
      { environmentSuffix: 'pr-1', kind: 'ephemeral', project: 'p', costCenter: 'c' },
      'alice',
    );
    expect(ok.success && ok.spec.owner).toBe('alice');
    expect(ok.success && ok.spec.ttlHours).toBe(72);
    const reserved = parseCreateEnvironmentRequest(
      { environmentSuffix: 'prod-fix', kind: 'ephemeral', project: 'p', costCenter: 'c' },
      'alice',
    );
    expect(reserved.success ? [] : reserved.errors.map((e) => e.path)).toEqual(['environmentSuffix']);
    expect(parseCreateEnvironmentRequest([], 'alice').success).toBe(false);
  });
});
