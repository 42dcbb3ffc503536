import { createHash } from 'node:crypto';
import type { DeploymentEvent, DeploymentPhase, ResourceTimelineEntry } from '../../domain/types';
import { isoTimestamp } from './iso-time';
import { type ResourceNode, STACK_RESOURCE_TYPE } from './template';

/**
 * How long CloudFormation takes to create each resource type, in seconds at
 * speed factor 1 (typical figures from stack events of real deployments).
 * Deletes take {@link DELETE_RATIO} of that except where noted.
 */
export const CREATE_SECONDS: Readonly<Record<string, number>> = {
  'AWS::RDS::DBCluster': 540,
  'AWS::RDS::DBInstance': 420,
  'AWS::NetworkFirewall::Firewall': 360,
  'AWS::EC2::NatGateway': 100,
  'AWS::IAM::InstanceProfile': 120,
  'AWS::SQS::Queue': 60,
  'AWS::WAFv2::WebACLAssociation': 35,
  'AWS::S3::Bucket': 22,
  'AWS::SecretsManager::RotationSchedule': 20,
  'AWS::IAM::Role': 18,
  'AWS::IAM::Policy': 16,
  'AWS::IAM::ManagedPolicy': 16,
  'AWS::EC2::VPCGatewayAttachment': 16,
  'AWS::EC2::InternetGateway': 15,
  'AWS::Lambda::Function': 12,
  'AWS::EC2::VPC': 12,
  'AWS::DynamoDB::Table': 12,
  'AWS::SNS::Topic': 10,
  'AWS::NetworkFirewall::LoggingConfiguration': 10,
  'AWS::CloudTrail::Trail': 10,
  'AWS::Config::ConfigRule': 8,
  'AWS::EC2::SecurityGroup': 6,
  'AWS::EC2::FlowLog': 6,
  'AWS::EC2::Subnet': 5,
  'AWS::NetworkFirewall::FirewallPolicy': 5,
  'AWS::NetworkFirewall::RuleGroup': 5,
  'AWS::WAFv2::WebACL': 4,
  'AWS::Events::Rule': 4,
  'AWS::ApiGateway::Stage': 4,
  'AWS::ApiGateway::UsagePlan': 4,
  'AWS::KMS::Key': 3,
  'AWS::SecretsManager::Secret': 3,
  'AWS::SSM::Parameter': 3,
  'AWS::ApiGateway::RestApi': 3,
  'AWS::ApiGateway::Deployment': 3,
  'AWS::ApiGateway::ApiKey': 3,
  'AWS::EC2::RouteTable': 3,
  'AWS::RDS::DBSubnetGroup': 3,
  'AWS::KMS::Alias': 2,
  'AWS::Logs::LogGroup': 2,
  'AWS::Logs::MetricFilter': 2,
  'AWS::CloudWatch::Alarm': 2,
  'AWS::Lambda::Permission': 2,
  'AWS::S3::BucketPolicy': 2,
  'AWS::EC2::Route': 2,
  'AWS::EC2::SubnetRouteTableAssociation': 2,
  'AWS::CDK::Metadata': 1,
};
const INTERFACE_ENDPOINT_SECONDS = 75;
const VPC_FUNCTION_SECONDS = 45;
const CUSTOM_RESOURCE_SECONDS = 20;
const DEFAULT_SECONDS = 5;
const DELETE_RATIO = 0.5;
/** Deletes that are slow in their own right. */
const DELETE_SECONDS: Readonly<Record<string, number>> = {
  'AWS::RDS::DBCluster': 420,
  'AWS::RDS::DBInstance': 360,
  'AWS::NetworkFirewall::Firewall': 300,
  'AWS::Lambda::Function': 8,
};

function createSeconds(node: ResourceNode): number {
  if (node.variant === 'interface-endpoint') return INTERFACE_ENDPOINT_SECONDS;
  if (node.variant === 'vpc-function') return VPC_FUNCTION_SECONDS;
  if (node.type.startsWith('Custom::') || node.type === 'AWS::CloudFormation::CustomResource')
    return CUSTOM_RESOURCE_SECONDS;
  return CREATE_SECONDS[node.type] ?? DEFAULT_SECONDS;
}

function deleteSeconds(node: ResourceNode): number {
  return DELETE_SECONDS[node.type] ?? Math.max(1, createSeconds(node) * DELETE_RATIO);
}

/** ±15 %, stable per resource, so bars on the timeline do not all look alike. */
function jitter(seed: string): number {
  const byte = createHash('sha256').update(seed).digest()[0] ?? 128;
  return 0.85 + (byte / 255) * 0.3;
}

export interface PlannedResource {
  readonly logicalId: string;
  readonly type: string;
  readonly physicalId: string;
  /** Milliseconds after the rollout's start. */
  readonly startMs: number;
  readonly endMs: number;
  readonly outcome: 'complete' | 'failed' | 'cancelled' | 'not-started';
  readonly reason?: string;
}

/** One stack operation, fully determined when it starts: playback is a pure function of the clock. */
export interface Rollout {
  readonly operation: 'create' | 'update' | 'delete';
  /** ISO-8601. */
  readonly startedAt: string;
  readonly resources: readonly PlannedResource[];
  /** When the operation reaches its final stack status (ms after start). */
  readonly endMs: number;
  readonly failure?: {
    readonly logicalId: string;
    readonly type: string;
    readonly reason: string;
    readonly atMs: number;
  };
  /** Deletes of a failed create (ms after the rollout's start). */
  readonly rollback?: readonly PlannedResource[];
  /** Set when a later operation (a destroy) interrupted this one: playback stops here. */
  readonly interruptedAtMs?: number;
}

export interface PlanOptions {
  readonly nodes: readonly ResourceNode[];
  readonly physicalId: (logicalId: string) => string;
  readonly startedAt: Date;
  /** Simulated time runs this many times faster than AWS. */
  readonly speedFactor: number;
  /** The first resource of this type fails (failure injection). */
  readonly failResourceType?: string;
}

/** Earliest start after every dependency: CloudFormation's parallel create. */
function schedule(
  nodes: readonly ResourceNode[],
  durationMs: (node: ResourceNode) => number,
  waitFor: (node: ResourceNode) => readonly string[],
  offsetMs: number,
): Map<string, { startMs: number; endMs: number }> {
  const byId = new Map(nodes.map((node) => [node.logicalId, node]));
  const times = new Map<string, { startMs: number; endMs: number }>();
  const visiting = new Set<string>();
  const visit = (node: ResourceNode): number => {
    const known = times.get(node.logicalId);
    if (known) return known.endMs;
    if (visiting.has(node.logicalId)) return offsetMs; // a cycle cannot deploy; do not loop on it
    visiting.add(node.logicalId);
    let startMs = offsetMs;
    for (const dep of waitFor(node)) {
      const depNode = byId.get(dep);
      if (depNode) startMs = Math.max(startMs, visit(depNode));
    }
    visiting.delete(node.logicalId);
    const endMs = startMs + durationMs(node);
    times.set(node.logicalId, { startMs, endMs });
    return endMs;
  };
  for (const node of nodes) visit(node);
  return times;
}

function injectedFailureReason(type: string, logicalId: string): string {
  const token = createHash('sha256').update(logicalId).digest('hex').slice(0, 8);
  const specific: Record<string, string> = {
    'AWS::Lambda::Function':
      'Resource handler returned message: "The provided execution role does not have permissions to call CreateNetworkInterface on EC2 (Service: Lambda, Status Code: 400)"',
    'AWS::WAFv2::WebACL':
      'Resource handler returned message: "You have exceeded the maximum number of web ACLs for this account (Service: Wafv2, Status Code: 400)"',
    'AWS::RDS::DBCluster':
      'Resource handler returned message: "Cannot find version 8.0.mysql_aurora.3.99.0 for aurora-mysql (Service: Rds, Status Code: 400)"',
    'AWS::S3::Bucket':
      'Resource handler returned message: "bucket already exists (Service: S3, Status Code: 409)"',
  };
  return `${specific[type] ?? `Resource handler returned message: "Service returned error code InternalFailure for ${type}"`} (RequestToken: ${token}, HandlerErrorCode: GeneralServiceException) [local mode: injected failure]`;
}

/** Plans a create: parallel by dependency, with an optional injected failure and its rollback. */
export function planCreate(options: PlanOptions): Rollout {
  const scale = 1000 / options.speedFactor;
  const warmupMs = Math.round(scale);
  const times = schedule(
    options.nodes,
    (node) => Math.round(createSeconds(node) * jitter(node.logicalId) * scale),
    (node) => node.dependsOn,
    warmupMs,
  );
  const at = (id: string) => times.get(id) ?? { startMs: warmupMs, endMs: warmupMs };
  const failing = options.failResourceType
    ? options.nodes
        .filter((node) => node.type === options.failResourceType)
        .sort((a, b) => at(a.logicalId).endMs - at(b.logicalId).endMs)[0]
    : undefined;
  const startedAt = options.startedAt.toISOString();
  if (failing === undefined) {
    const resources = options.nodes.map((node) => ({
      logicalId: node.logicalId,
      type: node.type,
      physicalId: options.physicalId(node.logicalId),
      ...at(node.logicalId),
      outcome: 'complete' as const,
    }));
    const endMs = Math.max(warmupMs, ...resources.map((r) => r.endMs)) + Math.round(scale);
    return { operation: 'create', startedAt, resources, endMs };
  }
  const failAtMs = at(failing.logicalId).endMs;
  const reason = injectedFailureReason(failing.type, failing.logicalId);
  const resources: PlannedResource[] = options.nodes.map((node) => {
    const time = at(node.logicalId);
    const base = {
      logicalId: node.logicalId,
      type: node.type,
      physicalId: options.physicalId(node.logicalId),
    };
    if (node.logicalId === failing.logicalId) return { ...base, ...time, outcome: 'failed', reason };
    if (time.endMs <= failAtMs) return { ...base, ...time, outcome: 'complete' };
    if (time.startMs < failAtMs) {
      return {
        ...base,
        startMs: time.startMs,
        endMs: failAtMs,
        outcome: 'cancelled',
        reason: 'Resource creation cancelled',
      };
    }
    return { ...base, startMs: time.startMs, endMs: time.startMs, outcome: 'not-started' };
  });
  const toDelete = resources.filter((r) => r.outcome === 'complete' || r.outcome === 'cancelled');
  const rollbackStart = failAtMs + Math.round(scale);
  const rollback = planDeletes({
    nodes: options.nodes.filter((node) => toDelete.some((r) => r.logicalId === node.logicalId)),
    physicalId: options.physicalId,
    offsetMs: rollbackStart,
    scale,
  });
  const endMs = Math.max(rollbackStart, ...rollback.map((r) => r.endMs)) + Math.round(scale);
  return {
    operation: 'create',
    startedAt,
    resources,
    endMs,
    failure: { logicalId: failing.logicalId, type: failing.type, reason, atMs: failAtMs },
    rollback,
  };
}

function planDeletes(options: {
  nodes: readonly ResourceNode[];
  physicalId: (logicalId: string) => string;
  offsetMs: number;
  scale: number;
}): PlannedResource[] {
  // A resource is deleted once everything that depends on it is gone.
  const dependents = new Map<string, string[]>();
  for (const node of options.nodes) {
    for (const dep of node.dependsOn) dependents.set(dep, [...(dependents.get(dep) ?? []), node.logicalId]);
  }
  const times = schedule(
    options.nodes,
    (node) => Math.round(deleteSeconds(node) * jitter(`${node.logicalId}/delete`) * options.scale),
    (node) => dependents.get(node.logicalId) ?? [],
    options.offsetMs,
  );
  return options.nodes.map((node) => ({
    logicalId: node.logicalId,
    type: node.type,
    physicalId: options.physicalId(node.logicalId),
    ...(times.get(node.logicalId) ?? { startMs: options.offsetMs, endMs: options.offsetMs }),
    outcome: 'complete' as const,
  }));
}

/** Plans a stack delete of the given resources (reverse dependency order). */
export function planDelete(options: Omit<PlanOptions, 'failResourceType'>): Rollout {
  const scale = 1000 / options.speedFactor;
  const offsetMs = Math.round(scale);
  const resources = planDeletes({ nodes: options.nodes, physicalId: options.physicalId, offsetMs, scale });
  const endMs = Math.max(offsetMs, ...resources.map((r) => r.endMs)) + Math.round(scale);
  return { operation: 'delete', startedAt: options.startedAt.toISOString(), resources, endMs };
}

/** A re-deploy of an unchanged template: CloudFormation updates nothing and completes. */
export function planNoChangeUpdate(options: { startedAt: Date; speedFactor: number }): Rollout {
  return {
    operation: 'update',
    startedAt: options.startedAt.toISOString(),
    resources: [],
    endMs: Math.round((10 * 1000) / options.speedFactor),
  };
}

/**
 * Plans an update of a deployed stack to a new template: the resources that are new or whose
 * definition changed are created or updated in dependency order (updates take half a create); the
 * resources the new template drops are deleted in the cleanup phase, after the update completes.
 */
export function planUpdate(options: {
  readonly nodes: readonly ResourceNode[];
  /** Logical ids new in this template or whose definition changed. */
  readonly changed: ReadonlySet<string>;
  readonly added: ReadonlySet<string>;
  readonly physicalId: (logicalId: string) => string;
  readonly startedAt: Date;
  readonly speedFactor: number;
}): Rollout {
  const scale = 1000 / options.speedFactor;
  const warmupMs = Math.round(scale);
  const nodes = options.nodes.filter((node) => options.changed.has(node.logicalId));
  const times = schedule(
    nodes,
    (node) =>
      Math.round(
        createSeconds(node) *
          (options.added.has(node.logicalId) ? 1 : DELETE_RATIO) *
          jitter(node.logicalId) *
          scale,
      ),
    (node) => node.dependsOn.filter((dep) => options.changed.has(dep)),
    warmupMs,
  );
  const resources = nodes.map((node) => ({
    logicalId: node.logicalId,
    type: node.type,
    physicalId: options.physicalId(node.logicalId),
    ...(times.get(node.logicalId) ?? { startMs: warmupMs, endMs: warmupMs }),
    outcome: 'complete' as const,
  }));
  const endMs = Math.max(warmupMs, ...resources.map((r) => r.endMs)) + Math.round(scale * 2);
  return { operation: 'update', startedAt: options.startedAt.toISOString(), resources, endMs };
}

export interface Playback {
  readonly phase: DeploymentPhase;
  readonly resourcesDone: number;
  readonly resourcesTotal: number;
  readonly events: DeploymentEvent[];
  readonly timeline: ResourceTimelineEntry[];
  readonly finished: boolean;
  /** The stack holds resources after this operation (create/update succeeded). */
  readonly succeeded: boolean;
}

interface PendingEvent {
  /** Epoch millisecond shown in the timestamp (the sort key). */
  readonly at: number;
  /** Offset in the rollout (part of the event id). */
  readonly ms: number;
  readonly logicalResourceId: string;
  readonly resourceType: string;
  readonly resourceStatus: string;
  readonly extra: { physicalResourceId?: string; resourceStatusReason?: string };
}

/** What the stack looks like `now` into the rollout: events (the newest `maxEvents`), timeline, progress. */
export function playRollout(
  rollout: Rollout,
  stackName: string,
  now: Date,
  options: { readonly maxEvents?: number } = {},
): Playback {
  const origin = Date.parse(rollout.startedAt);
  const elapsed = Math.min(now.getTime() - origin, rollout.interruptedAtMs ?? Number.POSITIVE_INFINITY);
  // Events are collected bare and only the newest `maxEvents` become objects with formatted timestamps:
  // detail reads of finished environments would otherwise format every event of the whole rollout.
  const pending: PendingEvent[] = [];
  const iso = (ms: number) => isoTimestamp(origin + ms);
  const event = (
    ms: number,
    logicalResourceId: string,
    resourceType: string,
    resourceStatus: string,
    extra: { physicalResourceId?: string; resourceStatusReason?: string } = {},
  ) => {
    if (ms > elapsed) return;
    pending.push({ at: Math.floor(origin + ms), ms, logicalResourceId, resourceType, resourceStatus, extra });
  };
  const verb =
    rollout.operation === 'delete' ? 'DELETE' : rollout.operation === 'update' ? 'UPDATE' : 'CREATE';
  event(0, stackName, STACK_RESOURCE_TYPE, `${verb}_IN_PROGRESS`, { resourceStatusReason: 'User Initiated' });
  const timeline: ResourceTimelineEntry[] = [];
  for (const r of rollout.resources) {
    if (r.outcome === 'not-started' || r.startMs > elapsed) continue;
    const initiatedMs = Math.min(r.startMs + (r.endMs - r.startMs) / 3, r.endMs);
    event(r.startMs, r.logicalId, r.type, `${verb}_IN_PROGRESS`);
    if (verb === 'CREATE') {
      event(initiatedMs, r.logicalId, r.type, 'CREATE_IN_PROGRESS', {
        physicalResourceId: r.physicalId,
        resourceStatusReason: 'Resource creation Initiated',
      });
    }
    const finished = r.endMs <= elapsed;
    if (finished) {
      const status = r.outcome === 'complete' ? `${verb}_COMPLETE` : `${verb}_FAILED`;
      event(r.endMs, r.logicalId, r.type, status, {
        physicalResourceId: r.physicalId,
        ...(r.reason === undefined ? {} : { resourceStatusReason: r.reason }),
      });
    }
    timeline.push({
      logicalResourceId: r.logicalId,
      resourceType: r.type,
      startedAt: iso(r.startMs),
      ...(finished ? { finishedAt: iso(r.endMs) } : {}),
      status: !finished
        ? 'in-progress'
        : r.outcome === 'complete'
          ? 'complete'
          : r.outcome === 'failed'
            ? 'failed'
            : 'cancelled',
    });
  }
  const failure = rollout.failure;
  const failed = failure !== undefined && failure.atMs <= elapsed;
  if (failure !== undefined) {
    const failedIds = rollout.resources.filter((r) => r.outcome === 'failed').map((r) => r.logicalId);
    event(failure.atMs + 1, stackName, STACK_RESOURCE_TYPE, 'ROLLBACK_IN_PROGRESS', {
      resourceStatusReason: `The following resource(s) failed to create: [${failedIds.join(', ')}]. Rollback requested by user.`,
    });
    for (const r of rollout.rollback ?? []) {
      if (r.startMs > elapsed) continue;
      event(r.startMs, r.logicalId, r.type, 'DELETE_IN_PROGRESS', { physicalResourceId: r.physicalId });
      event(r.endMs, r.logicalId, r.type, 'DELETE_COMPLETE', { physicalResourceId: r.physicalId });
    }
  }
  const finished = elapsed >= rollout.endMs;
  if (finished) {
    if (failure !== undefined) event(rollout.endMs, stackName, STACK_RESOURCE_TYPE, 'ROLLBACK_COMPLETE');
    else if (verb === 'UPDATE') {
      event(rollout.endMs - 1, stackName, STACK_RESOURCE_TYPE, 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS');
      event(rollout.endMs, stackName, STACK_RESOURCE_TYPE, 'UPDATE_COMPLETE');
    } else event(rollout.endMs, stackName, STACK_RESOURCE_TYPE, `${verb}_COMPLETE`);
  }
  // Stable sort by the millisecond the timestamp shows: same-millisecond events keep their causal order.
  pending.sort((a, b) => a.at - b.at);
  const events: DeploymentEvent[] = pending
    .slice(options.maxEvents === undefined ? 0 : -options.maxEvents)
    .map((e) => ({
      eventId: `${e.logicalResourceId}-${e.resourceStatus}-${Math.round(e.ms)}`,
      stackName,
      timestamp: isoTimestamp(e.at),
      logicalResourceId: e.logicalResourceId,
      resourceType: e.resourceType,
      resourceStatus: e.resourceStatus,
      ...e.extra,
    }));

  const counted = rollout.resources.filter(
    (r) => r.outcome !== 'not-started' || rollout.operation !== 'delete',
  );
  const resourcesTotal = rollout.operation === 'delete' ? rollout.resources.length : counted.length;
  const resourcesDone = rollout.resources.filter(
    (r) => r.outcome === 'complete' && r.endMs <= elapsed,
  ).length;
  let phase: DeploymentPhase;
  if (rollout.operation === 'delete') phase = finished ? 'destroyed' : 'destroying';
  else if (failed) phase = finished ? 'failed' : 'rolling-back';
  else phase = finished ? 'complete' : 'deploying';
  return {
    phase,
    resourcesDone,
    resourcesTotal,
    events,
    timeline,
    finished,
    succeeded: finished && !failed && rollout.operation !== 'delete',
  };
}

/** How far ahead of the clock a held resource's start is kept (it never starts while held). */
const HOLD_LEAD_MS = 10_000;

/**
 * The create `rollout` with the first resource of `type` (and everything planned to start with or after
 * it) moved later, so that it has not started at `now`; `undefined` when nothing needs to move.
 * Resources already running are left alone, so the events already shown never change.
 */
export function holdBefore(rollout: Rollout, type: string, now: Date): Rollout | undefined {
  if (rollout.operation !== 'create' || rollout.interruptedAtMs !== undefined) return undefined;
  const first = rollout.resources
    .filter((resource) => resource.type === type && resource.outcome !== 'not-started')
    .sort((a, b) => a.startMs - b.startMs)[0];
  if (first === undefined) return undefined;
  const elapsed = now.getTime() - Date.parse(rollout.startedAt);
  if (first.startMs <= elapsed || first.startMs >= elapsed + HOLD_LEAD_MS / 2) return undefined;
  const from = first.startMs;
  const shift = elapsed + HOLD_LEAD_MS - from;
  const later = <T extends { startMs: number; endMs: number }>(item: T): T =>
    item.startMs >= from ? { ...item, startMs: item.startMs + shift, endMs: item.endMs + shift } : item;
  return {
    ...rollout,
    resources: rollout.resources.map(later),
    endMs: rollout.endMs + shift,
    ...(rollout.failure === undefined
      ? {}
      : {
          failure: {
            ...rollout.failure,
            atMs: rollout.failure.atMs >= from ? rollout.failure.atMs + shift : rollout.failure.atMs,
          },
        }),
    ...(rollout.rollback === undefined ? {} : { rollback: rollout.rollback.map(later) }),
  };
}
