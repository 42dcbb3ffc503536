import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ENVIRONMENTS_FILE_VERSION,
  EnvironmentsFileError,
  parseEnvironmentsFile,
  readEnvironmentsFile,
} from './environments-file';

const record = (
  environmentSuffix: string,
  overrides: Record<string, unknown> = {},
  spec: Record<string, unknown> = {},
) => ({
  environmentSuffix,
  spec: { environmentSuffix, kind: 'ephemeral', owner: 'a', project: 'p', costCenter: 'c', ...spec },
  status: 'ready',
  requestedBy: 'alice',
  createdAt: '2026-11-01T00:00:00.000Z',
  updatedAt: '2026-11-01T00:00:00.000Z',
  version: 1,
  ...overrides,
});

const file = (environments: unknown[], invalid: unknown[] = []) => ({
  version: ENVIRONMENTS_FILE_VERSION,
  exportedAt: '2026-11-23T00:00:00.000Z',
  source: 'dynamodb:registry',
  environments,
  invalid,
});

describe('parseEnvironmentsFile', () => {
  it('re-validates every entry and applies the spec defaults', () => {
    const loaded = parseEnvironmentsFile(file([record('pr-1')]));
    expect(loaded.skipped).toEqual([]);
    expect(loaded.environments).toHaveLength(1);
    expect(loaded.environments[0]?.spec).toMatchObject({
      environmentSuffix: 'pr-1',
      region: 'us-east-1',
      ttlHours: 72,
    });
  });

  it('skips and reports by suffix: invalid specs, exporter-reported entries, duplicates, environments being destroyed', () => {
    const loaded = parseEnvironmentsFile(
      file(
        [
          record('good'),
          record('bad-region', {}, { region: 'mars-1' }),
          record('good'),
          record('leaving', { status: 'destroying' }),
          record('gone', { status: 'destroyed' }),
          record('mismatch', {}, { environmentSuffix: 'other' }),
        ],
        [{ environmentSuffix: 'hand-edited', errors: [{ path: 'status', message: 'bad' }] }],
      ),
    );
    expect(loaded.environments.map((e) => e.spec.environmentSuffix)).toEqual(['good']);
    expect(loaded.skipped).toEqual([
      { environmentSuffix: 'hand-edited', reason: 'invalid registry entry: status: bad' },
      {
        environmentSuffix: 'bad-region',
        reason: expect.stringMatching(/^invalid registry entry: spec\.region: /),
      },
      { environmentSuffix: 'good', reason: 'duplicate entry in the file' },
      { environmentSuffix: 'leaving', reason: 'status is destroying' },
      { environmentSuffix: 'gone', reason: 'status is destroyed' },
      { environmentSuffix: 'mismatch', reason: expect.stringContaining('spec.environmentSuffix') },
    ]);
  });

  it('skips a failed ephemeral entry (its stack may not be updatable) but never a failed staging or prod', () => {
    const persistent = { alertEmails: ['ops@example.com'] };
    const loaded = parseEnvironmentsFile(
      file([
        record('broken', {
          status: 'failed',
          statusReason: 'ApiKey (AWS::ApiGateway::ApiKey) failed: quota',
        }),
        record('retry', { status: 'requested' }),
        record('staging', { status: 'failed' }, { kind: 'staging', ...persistent }),
        record('prod', { status: 'failed' }, { kind: 'prod', ...persistent }),
      ]),
    );
    expect(loaded.environments.map((e) => e.spec.environmentSuffix)).toEqual(['retry', 'staging', 'prod']);
    expect(loaded.skipped).toEqual([
      {
        environmentSuffix: 'broken',
        reason:
          'status is failed (ApiKey (AWS::ApiGateway::ApiKey) failed: quota): a failed ephemeral environment is not redeployed',
      },
    ]);
  });

  it('skips, by suffix, an environment whose account/region is not a bootstrapped deployment target', () => {
    const targets = [
      { account: '111111111111', region: 'us-east-1' },
      { account: '222222222222', region: 'eu-west-1' },
    ];
    const loaded = parseEnvironmentsFile(
      file([
        record('home'),
        record('abroad', {}, { account: '222222222222', region: 'eu-west-1' }),
        record('stranger', {}, { account: '333333333333' }),
        record('wrong-region', {}, { account: '222222222222', region: 'us-east-1' }),
      ]),
      { targets, defaultAccount: '111111111111' },
    );
    expect(loaded.environments.map((e) => e.spec.environmentSuffix)).toEqual(['home', 'abroad']);
    expect(loaded.skipped).toEqual([
      {
        environmentSuffix: 'stranger',
        reason:
          '333333333333/us-east-1 is not a bootstrapped deployment target (111111111111/us-east-1, 222222222222/eu-west-1)',
      },
      { environmentSuffix: 'wrong-region', reason: expect.stringMatching(/^222222222222\/us-east-1 is not/) },
    ]);
  });

  it('refuses a malformed file with the field at fault', () => {
    expect(() => parseEnvironmentsFile({ ...file([]), version: 2 })).toThrow(EnvironmentsFileError);
    expect(() => parseEnvironmentsFile({ ...file([]), version: 2 })).toThrow(/version: version must be 1/);
  });
});

describe('readEnvironmentsFile', () => {
  it('reads the file from disk and reports an unreadable one clearly', () => {
    const directory = mkdtempSync(join(tmpdir(), 'sep-env-file-'));
    try {
      const path = join(directory, 'environments.json');
      writeFileSync(path, JSON.stringify(file([record('pr-9')])));
      expect(readEnvironmentsFile(path).environments.map((e) => e.spec.environmentSuffix)).toEqual(['pr-9']);
      writeFileSync(path, '{ not json');
      expect(() => readEnvironmentsFile(path)).toThrow(/cannot read environments file .*environments\.json/);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
