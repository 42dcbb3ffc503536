import type { ExecutionRun, PipelineState, StageRun } from './pipeline-run';

/*
 * CodePipeline's rules for executions sharing one pipeline: a stage holds one execution at a time, and
 * the pipeline's execution mode decides who waits (QUEUED) or who is dropped (SUPERSEDED).
 */

/**
 * When an execution entered a stage: when its previous stage finished (or it started), or later, when
 * another execution left the stage — never later than now.
 */
export function stageEntryTime(
  state: PipelineState,
  execution: ExecutionRun,
  stage: StageRun,
  now: Date,
): string {
  const index = execution.stages.indexOf(stage);
  const candidates = [
    (index > 0 ? execution.stages[index - 1]?.finishedAt : undefined) ?? execution.startedAt,
  ];
  for (const other of state.executions) {
    const held = other === execution ? undefined : other.stages.find((s) => s.name === stage.name);
    if (held?.finishedAt !== undefined) candidates.push(held.finishedAt);
  }
  const nowIso = now.toISOString();
  const latest = candidates.sort().at(-1) ?? nowIso;
  return latest > nowIso ? nowIso : latest;
}

/** Whether the execution may enter the stage now: no other execution is in it (and, QUEUED, none earlier runs). */
export function mayEnterStage(state: PipelineState, execution: ExecutionRun, stageName: string): boolean {
  // QUEUED: one execution at a time, in the order they started.
  if (state.definition.executionMode === 'QUEUED' && execution.stages[0]?.name === stageName) {
    const earlier = state.executions
      .slice(0, state.executions.indexOf(execution))
      .some((other) => other.status === 'InProgress');
    if (earlier) return false;
  }
  return !state.executions.some(
    (other) =>
      other !== execution &&
      other.status === 'InProgress' &&
      other.stages.some((stage) => stage.name === stageName && stage.status === 'InProgress'),
  );
}

/** An execution SUPERSEDED mode drops: it waited to enter `stageName`, and `newer` waits there too. */
export interface Supersession {
  readonly older: ExecutionRun;
  readonly newer: ExecutionRun;
  readonly stageName: string;
}

/** SUPERSEDED: of several executions waiting to enter the same stage, only the newest goes on. */
export function supersededWaiting(state: PipelineState): Supersession[] {
  if (state.definition.executionMode !== 'SUPERSEDED') return [];
  const waiting = new Map<string, ExecutionRun[]>();
  for (const execution of state.executions) {
    if (execution.status !== 'InProgress') continue;
    const next = execution.stages.find((stage) => stage.status !== 'Succeeded');
    if (next?.status !== 'NotStarted' || next === execution.stages[0]) continue;
    waiting.set(next.name, [...(waiting.get(next.name) ?? []), execution]);
  }
  const superseded: Supersession[] = [];
  for (const [stageName, executions] of waiting) {
    const sorted = executions.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
    const newer = sorted.at(-1);
    if (newer === undefined) continue;
    for (const older of sorted.slice(0, -1)) superseded.push({ older, newer, stageName });
  }
  return superseded;
}
