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

/**
 * The statuses to pass through from `from` to `to` (excluding `from`), shortest
 * first; empty when `to` is unreachable. A fast deployment can finish between
 * two polls, and the registry should still record each step it went through.
 */
export function transitionPath(from: EnvironmentStatus, to: EnvironmentStatus): EnvironmentStatus[] {
  if (from === to) return [];
  const previous = new Map<EnvironmentStatus, EnvironmentStatus>();
  const queue: EnvironmentStatus[] = [from];
  while (queue.length > 0) {
    const current = queue.shift() as EnvironmentStatus;
    for (const next of TRANSITIONS[current]) {
      if (next === from || previous.has(next)) continue;
      previous.set(next, current);
      if (next === to) {
        const path: EnvironmentStatus[] = [to];
        let step = current;
        while (step !== from) {
          path.unshift(step);
          step = previous.get(step) as EnvironmentStatus;
        }
        return path;
      }
      queue.push(next);
    }
  }
  return [];
}
