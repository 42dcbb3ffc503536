import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { EnvironmentRecord, EnvironmentRegistry } from '@sep/registry';
import {
  type EnvironmentTeardown,
  TEARDOWN_FAILURE_PREFIX,
  type TeardownResult,
} from '@sep/registry/teardown';
import type { Logger } from '../../shared/logger';

export interface SweepOptions {
  readonly registry: EnvironmentRegistry;
  readonly teardown: Pick<EnvironmentTeardown, 'destroy'>;
  readonly sns: SNSClient;
  /** Owners subscribe with a filter policy on the `owner` message attribute. */
  readonly notifyTopicArn: string;
  readonly now: Date;
  /** Epoch ms: no teardown starts or keeps waiting after this. */
  readonly deadline: number;
  readonly logger: Logger;
  /** @default Date.now */
  readonly clock?: () => number;
}

export type SweepOutcome = TeardownResult['outcome'] | 'skipped' | 'error';

export interface SweepEntry {
  readonly environmentSuffix: string;
  readonly outcome: SweepOutcome;
  readonly detail?: string;
}

export interface SweepReport {
  readonly expired: number;
  readonly entries: readonly SweepEntry[];
  /** Expired environments left for the next run because the time budget ran out. */
  readonly deferred: readonly string[];
}

/**
 * One sweep: every expired ephemeral environment is torn down through the
 * shared destroy path, and its owner is told what happened. An environment
 * whose teardown outlives this invocation stays `destroying` and is resumed by
 * the next run (listExpired still returns it).
 */
export async function sweep(options: SweepOptions): Promise<SweepReport> {
  const clock = options.clock ?? Date.now;
  const expired = await options.registry.listExpired({ now: options.now });
  options.logger.info('sweep started', { expired: expired.map((record) => record.environmentSuffix) });
  const entries: SweepEntry[] = [];
  const deferred: string[] = [];

  for (const record of expired) {
    if (clock() >= options.deadline) {
      deferred.push(record.environmentSuffix);
      continue;
    }
    const entry = await sweepOne(record, options);
    entries.push(entry);
    options.logger.info('environment swept', { ...entry });
    if (entry.outcome !== 'in-progress' && entry.outcome !== 'skipped') {
      await notifyOwner(record, entry, options);
    }
  }
  if (deferred.length > 0) options.logger.warn('time budget spent; deferred to the next run', { deferred });
  const report = { expired: expired.length, entries, deferred };
  options.logger.info('sweep finished', {
    expired: report.expired,
    destroyed: entries.filter((e) => e.outcome === 'destroyed').length,
    inProgress: entries.filter((e) => e.outcome === 'in-progress').length,
    failed: entries.filter((e) => e.outcome === 'failed' || e.outcome === 'error').length,
    skipped: entries.filter((e) => e.outcome === 'skipped').length,
  });
  return report;
}

async function sweepOne(record: EnvironmentRecord, options: SweepOptions): Promise<SweepEntry> {
  const environmentSuffix = record.environmentSuffix;
  // A teardown that already failed (DELETE_FAILED twice) needs a person; retrying every 15 minutes
  // would only repeat the failure and the owner's notification.
  if (record.status === 'failed' && record.statusReason?.startsWith(TEARDOWN_FAILURE_PREFIX)) {
    return { environmentSuffix, outcome: 'skipped', detail: `needs attention: ${record.statusReason}` };
  }
  try {
    const result = await options.teardown.destroy({
      environmentSuffix,
      reason: `TTL of ${record.spec.ttlHours ?? '?'} h expired at ${record.expiresAt ?? '?'}`,
      deadline: options.deadline,
    });
    return {
      environmentSuffix,
      outcome: result.outcome,
      ...(result.reason === undefined ? {} : { detail: result.reason }),
    };
  } catch (error) {
    const name = error instanceof Error ? error.name : 'Error';
    const message = error instanceof Error ? error.message : String(error);
    // Someone (the owner in the portal, another sweep) changed it meanwhile: theirs to finish.
    if (name === 'VersionConflictError' || name === 'EnvironmentNotFoundError') {
      return { environmentSuffix, outcome: 'skipped', detail: message };
    }
    options.logger.error('teardown failed', { environmentSuffix, error });
    return { environmentSuffix, outcome: 'error', detail: `${name}: ${message}` };
  }
}

const SUBJECTS: Record<string, string> = {
  destroyed: 'destroyed (TTL expired)',
  failed: 'could not be destroyed (TTL expired)',
  error: 'could not be destroyed (TTL expired)',
};

async function notifyOwner(
  record: EnvironmentRecord,
  entry: SweepEntry,
  options: SweepOptions,
): Promise<void> {
  const subject = `Environment ${record.environmentSuffix} ${SUBJECTS[entry.outcome] ?? entry.outcome}`;
  const lines = [
    `Environment: ${record.environmentSuffix}`,
    `Owner: ${record.spec.owner}`,
    `Requested by: ${record.requestedBy} at ${record.createdAt}`,
    `Expired at: ${record.expiresAt ?? 'n/a'} (TTL ${record.spec.ttlHours ?? '?'} h)`,
    `Outcome: ${entry.outcome}`,
    ...(entry.detail === undefined ? [] : [`Detail: ${entry.detail}`]),
  ];
  try {
    await options.sns.send(
      new PublishCommand({
        TopicArn: options.notifyTopicArn,
        // SNS subjects: ASCII, at most 100 characters.
        Subject: subject.slice(0, 100),
        Message: lines.join('\n'),
        MessageAttributes: {
          owner: { DataType: 'String', StringValue: record.spec.owner },
          environmentSuffix: { DataType: 'String', StringValue: record.environmentSuffix },
          outcome: { DataType: 'String', StringValue: entry.outcome },
        },
      }),
    );
  } catch (error) {
    // The teardown already happened; a lost notification must not undo or repeat it.
    options.logger.error('owner notification failed', { environmentSuffix: record.environmentSuffix, error });
  }
}
