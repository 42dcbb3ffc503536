import { createHash } from 'node:crypto';
import type { ResourceNode } from './template';

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
