// Names of the roles the platform uses inside each target account and region. CDK-free: the
// account-security stack creates the roles, the pipeline grants sts:AssumeRole on them, and the
// portal, the TTL sweeper and the smoke test assume them.
import { physicalName } from './physical-names';

/**
 * Stack tag carrying the environment's kind. The target-account role may delete only stacks tagged
 * `EnvironmentKind=ephemeral` (IAM `aws:ResourceTag` condition), and the teardown refuses any other
 * stack before it asks.
 */
export const ENVIRONMENT_KIND_TAG = 'EnvironmentKind';

/**
 * Output of the account-security stack naming the account's CloudTrail trail: the portal's evidence
 * bundle reads it (as the platform-access role, which may describe that one stack).
 */
export const AUDIT_TRAIL_ARN_OUTPUT = 'AuditTrailArn';

/** One account and region the platform deploys environments to. */
export interface TargetLocation {
  /** 12-digit account ID. */
  readonly account: string;
  readonly region: string;
  /** @default 'aws' */
  readonly partition?: string;
}

function roleArn(kind: 'accountPlatformAccessRole' | 'accountSmokeTestRole', target: TargetLocation): string {
  const name = physicalName(kind, { suffix: '', region: target.region });
  return `arn:${target.partition ?? 'aws'}:iam::${target.account}:role/${name}`;
}

/**
 * The role the portal and the TTL sweeper assume to read an environment's stacks, events, drift and
 * Config compliance, and to delete ephemeral environment stacks, in that account and region.
 */
export function platformAccessRoleArn(target: TargetLocation): string {
  return roleArn('accountPlatformAccessRole', target);
}

/** The role the pipeline's smoke test assumes to read an environment's API key and call its API. */
export function smokeTestRoleArn(target: TargetLocation): string {
  return roleArn('accountSmokeTestRole', target);
}

/** A route every environment API serves that the post-deploy smoke test calls (signed, keyed). */
export interface SmokeRoute {
  readonly method: 'GET' | 'POST';
  /** Relative to the stage URL, no leading slash. */
  readonly path: string;
}

/** With the document pipeline: the document API itself (a synthetic, PII-free document). */
export const DOCUMENTS_SMOKE_ROUTE: SmokeRoute = { method: 'POST', path: 'documents' };
/** Without it the API serves only a keyed, signed health check. */
export const HEALTH_SMOKE_ROUTE: SmokeRoute = { method: 'GET', path: 'health' };

/** The route the smoke test calls for an environment with these features: one that exists for every feature set. */
export function smokeRoute(features: { readonly documentPipeline: boolean }): SmokeRoute {
  return features.documentPipeline ? DOCUMENTS_SMOKE_ROUTE : HEALTH_SMOKE_ROUTE;
}
