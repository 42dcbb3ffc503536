import type { DeploymentPhase, EnvironmentStatus } from './types';

/**
 * The environment lifecycle: requested → synthesizing → deploying → ready →
 * destroying → destroyed, or failed (with a reason) from any working state.
 * A failed environment may be destroyed (a stack left in ROLLBACK_COMPLETE
 * must be deleted before the suffix can deploy again) or re-deployed.
 */
const TRANSITIONS: Readonly<Record<EnvironmentStatus, readonly EnvironmentStatus[]>> = {
  requested: ['synthesizing', 'failed', 'destroying'],
  synthesizing: ['deploying', 'failed', 'destroying'],
  deploying: ['ready', 'failed', 'destroying'],
  ready: ['synthesizing', 'deploying', 'destroying', 'failed'],
  failed: ['synthesizing', 'destroying'],
  destroying: ['destroyed', 'failed'],
  destroyed: [],
};

export function canTransition(from: EnvironmentStatus, to: EnvironmentStatus): boolean {
  return from === to || TRANSITIONS[from].includes(to);
}

/** The platform has nothing more to do until someone acts. */
export function isSettled(status: EnvironmentStatus): boolean {
  return status === 'ready' || status === 'failed' || status === 'destroyed';
}

/** The registry status a platform phase corresponds to. */
export function statusForPhase(phase: DeploymentPhase): EnvironmentStatus {
  switch (phase) {
    case 'queued':
      return 'requested';
    case 'synthesizing':
      return 'synthesizing';
    case 'deploying':
    case 'rolling-back':
      return 'deploying';
    case 'complete':
      return 'ready';
    case 'failed':
      return 'failed';
    case 'destroying':
      return 'destroying';
    case 'destroyed':
      return 'destroyed';
  }
}
