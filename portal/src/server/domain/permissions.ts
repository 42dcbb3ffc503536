import { TEARDOWN_FAILURE_PREFIX } from '@sep/registry/teardown';
import type { EnvironmentKind } from '@sep/spec';
import type { EnvironmentPermissions, EnvironmentStatus, Role, User } from './types';

export function hasRole(user: User, role: Role): boolean {
  return user.roles.includes(role) || user.roles.includes('admin');
}

/** A signed-in user outside every portal group (OIDC gives anyone a session) may do and read nothing. */
export function mayUsePortal(user: User): Decision {
  return user.roles.length > 0
    ? ALLOW
    : { allowed: false, reason: 'you have no portal role: ask to be added to one of the portal groups' };
}

export type Decision = { readonly allowed: true } | { readonly allowed: false; readonly reason: string };

const ALLOW: Decision = { allowed: true };

/** Engineers request ephemeral environments for themselves; only admins request staging or prod. */
export function mayRequest(user: User, kind: EnvironmentKind): Decision {
  if (user.roles.includes('admin')) return ALLOW;
  if (!user.roles.includes('engineer'))
    return { allowed: false, reason: 'only engineers and admins request environments' };
  if (kind !== 'ephemeral') return { allowed: false, reason: `only admins request ${kind} environments` };
  return ALLOW;
}

export interface DestroyTarget {
  readonly kind: EnvironmentKind;
  readonly owner: string;
  readonly requestedBy: string;
  readonly status: EnvironmentStatus;
}

/** Why an environment cannot be destroyed by anyone right now (→ 409), if it cannot. */
export function destroyBlocker(target: DestroyTarget): string | undefined {
  if (target.kind !== 'ephemeral') return `${target.kind} environments are never destroyed from the portal`;
  if (target.status === 'destroying') return 'the environment is already being destroyed';
  if (target.status === 'destroyed') return 'the environment is already destroyed';
  return undefined;
}

/** Whether this user may destroy this environment (→ 403 when not), ignoring its state. */
export function mayDestroy(user: User, target: DestroyTarget): Decision {
  if (user.roles.includes('admin')) return ALLOW;
  if (!user.roles.includes('engineer'))
    return { allowed: false, reason: 'only the owning engineer or an admin may destroy' };
  if (target.owner !== user.id && target.requestedBy !== user.id) {
    return {
      allowed: false,
      reason: `only its owner (${target.owner}) or an admin may destroy this environment`,
    };
  }
  return ALLOW;
}

/** Why a deployment cannot be retried by anyone right now (→ 409), if it cannot. */
export function retryBlocker(target: DestroyTarget & { readonly statusReason?: string }): string | undefined {
  if (target.status !== 'failed') return 'only a failed deployment can be retried';
  if (target.statusReason?.startsWith(TEARDOWN_FAILURE_PREFIX))
    return 'its teardown failed: destroy it again instead of deploying it';
  return undefined;
}

/** The owner (ephemeral) or an admin re-runs a failed deployment; staging and prod are the admins'. */
export function mayRetry(user: User, target: DestroyTarget): Decision {
  if (user.roles.includes('admin')) return ALLOW;
  if (target.kind !== 'ephemeral') return { allowed: false, reason: `only admins redeploy ${target.kind}` };
  if (!user.roles.includes('engineer') || (target.owner !== user.id && target.requestedBy !== user.id))
    return {
      allowed: false,
      reason: `only its owner (${target.owner}) or an admin may retry this deployment`,
    };
  return ALLOW;
}

/** What the UI shows: both the state rule and the role rule. */
export function environmentPermissions(
  user: User,
  target: DestroyTarget & { readonly statusReason?: string },
): EnvironmentPermissions {
  const canRetry = retryBlocker(target) === undefined && mayRetry(user, target).allowed;
  const blocker = destroyBlocker(target);
  if (blocker !== undefined) return { canDestroy: false, destroyBlockedReason: blocker, canRetry };
  const decision = mayDestroy(user, target);
  return decision.allowed
    ? { canDestroy: true, canRetry }
    : { canDestroy: false, destroyBlockedReason: decision.reason, canRetry };
}

/**
 * Approvers and admins decide promotions; never the person who requested the change that waits for prod
 * (separation of duties: admins included).
 */
export function mayDecidePromotion(
  user: User,
  waiting?: { readonly requestedBy?: string; readonly requesters?: readonly string[] },
): Decision {
  if (!hasRole(user, 'approver'))
    return { allowed: false, reason: 'only approvers and admins decide promotions' };
  const requesters = waiting?.requesters ?? (waiting?.requestedBy === undefined ? [] : [waiting.requestedBy]);
  if (requesters.includes(user.id))
    return {
      allowed: false,
      reason: 'you requested the change that waits for prod: another approver decides its promotion',
    };
  return ALLOW;
}
