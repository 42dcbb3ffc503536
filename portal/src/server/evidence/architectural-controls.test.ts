import { AUDIT_LOCK_DAYS as INFRA_AUDIT_LOCK_DAYS, kindPolicy } from '@sep/infra';
import { ENVIRONMENT_KINDS } from '@sep/spec';
import { ARCHIVE_RETENTION_DAYS, AUDIT_LOCK_DAYS, evaluateControl } from './architectural-controls';

describe('architectural controls', () => {
  it("use the stage's own retention and lock figures", () => {
    for (const kind of ENVIRONMENT_KINDS) {
      expect({ kind, days: ARCHIVE_RETENTION_DAYS[kind] }).toEqual({
        kind,
        days: kindPolicy(kind).archiveRetentionDays,
      });
      expect({ kind, lock: evaluateControl('audit-object-lock', { kind }).status === 'in-place' }).toEqual({
        kind,
        lock: kindPolicy(kind).lockAuditLogs,
      });
      expect({
        kind,
        mfa: evaluateControl('mfa-on-version-deletes', { kind }).status === 'in-place',
      }).toEqual({
        kind,
        mfa: kindPolicy(kind).mfaOnVersionDeletes,
      });
    }
    expect(AUDIT_LOCK_DAYS).toBe(INFRA_AUDIT_LOCK_DAYS);
  });

  it('reports a WAF switched off in the spec as not in place', () => {
    expect(evaluateControl('waf-on-api', { kind: 'staging', features: { waf: false } }).status).toBe(
      'not-in-place',
    );
    expect(evaluateControl('waf-on-api', { kind: 'staging' }).status).toBe('in-place');
  });
});
