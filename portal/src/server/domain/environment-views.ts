import type { EnvironmentRecord } from '@sep/registry';
import { environmentStackName } from '@sep/registry/names';
import type { EnvironmentSpec } from '@sep/spec';
import { LRUCache } from 'lru-cache';
import { type PipelineConsole, pipelineExecutionsConsoleUrl, stackConsoleUrl } from './console-links';
import { estimateMonthlyCost } from './cost';
import { environmentPermissions } from './permissions';
import type { Observation } from './reconciler';
import type { CostEstimate, EnvironmentDetail, EnvironmentView, User } from './types';

export interface EnvironmentViewsOptions {
  /** True when outputs, events and pipeline state are simulated on this machine. */
  readonly simulated: boolean;
  /** aws mode: where the pipeline lives, for links into the AWS console. */
  readonly console?: PipelineConsole;
}

/** What the API shows of an environment: pure projections of a record (and a snapshot), per user. */
export class EnvironmentViews {
  /** Per record version: 1,000 environments are costed on every list. */
  private readonly costs = new LRUCache<string, CostEstimate>({ max: 5000 });

  constructor(private readonly options: EnvironmentViewsOptions) {}

  cost(record: EnvironmentRecord): CostEstimate {
    const key = `${record.environmentSuffix}@${record.version}`;
    let estimate = this.costs.get(key);
    if (estimate === undefined) {
      estimate = costEstimate(record.spec);
      this.costs.set(key, estimate);
    }
    return estimate;
  }

  view(user: User, record: EnvironmentRecord): EnvironmentView {
    const { spec } = record;
    return {
      environmentSuffix: record.environmentSuffix,
      kind: spec.kind,
      owner: spec.owner,
      project: spec.project,
      costCenter: spec.costCenter,
      region: spec.region,
      dataClassification: spec.dataClassification,
      status: record.status,
      ...(record.statusReason === undefined ? {} : { statusReason: reasonFor(user, record.statusReason) }),
      requestedBy: record.requestedBy,
      createdAt: record.createdAt,
      updatedAt: record.updatedAt,
      ...(record.expiresAt === undefined ? {} : { expiresAt: record.expiresAt }),
      stackName: environmentStackName(record.environmentSuffix),
      monthlyCostUsd: this.cost(record).monthlyUsd,
      simulated: this.options.simulated,
      permissions: environmentPermissions(user, destroyTarget(record)),
    };
  }

  detail(user: User, { record, snapshot }: Observation): EnvironmentDetail {
    const pipelineConsole = this.options.console;
    return {
      ...this.view(user, record),
      spec: record.spec,
      progress: snapshot.progress,
      events: snapshot.events,
      timeline: snapshot.timeline,
      outputs: snapshot.outputs,
      ...(snapshot.outputsWarning === undefined ? {} : { outputsWarning: snapshot.outputsWarning }),
      ...(snapshot.failure === undefined
        ? {}
        : { failure: { ...snapshot.failure, reason: reasonFor(user, snapshot.failure.reason) } }),
      cost: this.cost(record),
      ...(pipelineConsole === undefined
        ? {}
        : {
            links: {
              stack: stackConsoleUrl({ region: record.spec.region, stack: snapshot.stackName }),
              pipelineExecutions: pipelineExecutionsConsoleUrl(pipelineConsole),
            },
          }),
    };
  }
}

const SUMMARY_CHARS = 240;

/**
 * A failure reason as one user may see it: admins the whole text (synth output included), everyone else
 * its first line, shortened; the full text is in the server log (the reconciler logs each failure).
 */
export function reasonFor(user: User | undefined, reason: string): string {
  if (user?.roles.includes('admin')) return reason;
  return summarizeReason(reason);
}

export function summarizeReason(reason: string): string {
  const lines = reason.split('\n').map((line) => line.trim());
  const first = lines.find((line) => line !== '') ?? '';
  const more = lines.filter((line) => line !== '').length > 1;
  if (first.length <= SUMMARY_CHARS && !more) return first;
  return `${first.slice(0, SUMMARY_CHARS)}… (the full output is in the server log; admins see it here)`;
}

/** What the permission rules read of an environment. */
export function destroyTarget(record: EnvironmentRecord) {
  return {
    kind: record.spec.kind,
    owner: record.spec.owner,
    requestedBy: record.requestedBy,
    status: record.status,
    ...(record.statusReason === undefined ? {} : { statusReason: record.statusReason }),
  };
}

export function costEstimate(input: {
  readonly region?: string;
  readonly features?: Partial<EnvironmentSpec['features']>;
  readonly existingDatabaseSecretArn?: string;
}): CostEstimate {
  return estimateMonthlyCost({
    ...(input.region === undefined ? {} : { region: input.region }),
    ...(input.features === undefined ? {} : { features: input.features }),
    importsDatabaseSecret: input.existingDatabaseSecretArn !== undefined,
  });
}
