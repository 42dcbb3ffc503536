import { pipelinePosition } from './pipeline-position';
import type { ActionRun, ExecutionRun, StageRun } from './pipeline-run';

// Executions as the player records them: Source, Build (the synth), then one stage per environment
// holding its deploy and smoke actions.

type Progress = 'not-reached' | 'deploying' | 'smoke-running' | 'done';

function environmentStage(suffix: string, progress: Progress, noChange = false): StageRun {
  const deploy: ActionRun = {
    name: `sep-env-${suffix}.Deploy`,
    kind: 'deploy',
    runOrder: 1,
    environmentSuffix: suffix,
    status: progress === 'not-reached' ? 'NotStarted' : progress === 'deploying' ? 'InProgress' : 'Succeeded',
    stack: {
      stackName: `sep-env-${suffix}`,
      account: '111111111111',
      region: 'us-east-1',
      templatePath: 't.json',
      ...(noChange ? { noChange } : {}),
    },
  };
  const smoke: ActionRun = {
    name: 'Smoke',
    kind: 'smoke',
    runOrder: 2,
    environmentSuffix: suffix,
    status: progress === 'done' ? 'Succeeded' : progress === 'smoke-running' ? 'InProgress' : 'NotStarted',
  };
  return {
    name: suffix,
    status: progress === 'not-reached' ? 'NotStarted' : progress === 'done' ? 'Succeeded' : 'InProgress',
    actions: [deploy, smoke],
  };
}

function execution(options: {
  readonly id: string;
  readonly startedAt: string;
  /** undefined: the Build stage is still synthesizing. */
  readonly exported?: readonly string[];
  readonly stages?: readonly StageRun[];
  readonly status?: ExecutionRun['status'];
}): ExecutionRun {
  const synthesized = options.exported !== undefined;
  return {
    executionId: options.id,
    status: options.status ?? 'InProgress',
    trigger: 'registry write',
    startedAt: options.startedAt,
    pipelineVersion: 1,
    stages: [
      {
        name: 'Build',
        status: synthesized ? 'Succeeded' : 'InProgress',
        actions: [
          { name: 'Synth', kind: 'synth', runOrder: 1, status: synthesized ? 'Succeeded' : 'InProgress' },
        ],
      },
      ...(options.stages ?? []),
    ],
    ...(synthesized
      ? {
          build: {
            runDir: '/runs',
            assemblyDir: '/runs/cdk.out',
            cacheKey: options.id,
            exported: (options.exported ?? []).map((environmentSuffix) => ({
              environmentSuffix,
              version: 1,
              updatedAt: options.startedAt,
            })),
            skipped: [],
            durationMs: 1000,
          },
        }
      : {}),
  };
}

const mine = { environmentSuffix: 'pr-7', since: '2026-12-05T10:00:00.000Z', provisioned: true };

/** An execution that synthesized pr-7 (and `alongside`, not reached yet) and got this far with it. */
function carryingMine(
  id: string,
  startedAt: string,
  progress: Progress,
  options: {
    readonly alongside?: readonly string[];
    readonly status?: ExecutionRun['status'];
    /** CloudFormation found nothing to change: the stack was already as this run would deploy it. */
    readonly noChange?: boolean;
  } = {},
): ExecutionRun {
  const others = options.alongside ?? [];
  return execution({
    id,
    startedAt,
    exported: ['pr-7', ...others],
    stages: [
      environmentStage('pr-7', progress, options.noChange),
      ...others.map((suffix) => environmentStage(suffix, 'not-reached')),
    ],
    ...(options.status === undefined ? {} : { status: options.status }),
  });
}

describe('pipelinePosition: where an environment stands in the played pipeline', () => {
  it('says nothing before an execution started since the environment was provisioned', () => {
    const earlier = execution({ id: 'e0', startedAt: '2026-12-05T09:59:00.000Z', exported: ['pr-7'] });
    expect(pipelinePosition([earlier], mine)).toEqual({ kind: 'none' });
  });

  it('is synthesizing while the execution it started builds it', () => {
    const run = execution({ id: 'e1', startedAt: '2026-12-05T10:00:01.000Z' });
    expect(pipelinePosition([run], mine)).toEqual({ kind: 'waiting', phase: 'synthesizing' });
  });

  it('is queued while its stage has not been reached', () => {
    const run = carryingMine('e1', '2026-12-05T10:00:01.000Z', 'not-reached');
    expect(pipelinePosition([run], mine)).toEqual({ kind: 'waiting', phase: 'queued' });
  });

  it('follows the deploy and its smoke test once its stage runs', () => {
    const run = carryingMine('e1', '2026-12-05T10:00:01.000Z', 'smoke-running');
    const position = pipelinePosition([run], mine);
    expect(position.kind).toBe('deploy');
    expect(position.kind === 'deploy' && position.smoke?.status).toBe('InProgress');
  });

  it('keeps following the execution deploying it when a newer execution, started by someone else’s request, waits behind it', () => {
    const deploying = carryingMine('e1', '2026-12-05T10:00:01.000Z', 'smoke-running');
    const newerQueued = carryingMine('e2', '2026-12-05T10:03:00.000Z', 'not-reached', {
      alongside: ['pr-8'],
    });
    const newestSynthesizing = execution({ id: 'e3', startedAt: '2026-12-05T10:04:00.000Z' });
    const position = pipelinePosition([deploying, newerQueued, newestSynthesizing], mine);
    expect(position.kind).toBe('deploy');
    expect(position.kind === 'deploy' && position.smoke?.status).toBe('InProgress');
  });

  it('stays deployed when a newer execution carries it but has not reached its stage', () => {
    const deployed = carryingMine('e1', '2026-12-05T10:00:01.000Z', 'done', { status: 'Succeeded' });
    const newer = carryingMine('e2', '2026-12-05T10:09:00.000Z', 'not-reached', { alongside: ['pr-8'] });
    const position = pipelinePosition([deployed, newer], mine);
    expect(position.kind === 'deploy' && position.smoke?.status).toBe('Succeeded');
  });

  it('follows the newest execution once it reaches the environment', () => {
    const deployed = carryingMine('e1', '2026-12-05T10:00:01.000Z', 'done', { status: 'Succeeded' });
    const redeploying = carryingMine('e2', '2026-12-05T10:09:00.000Z', 'smoke-running');
    const position = pipelinePosition([deployed, redeploying], mine);
    expect(position.kind === 'deploy' && position.smoke?.status).toBe('InProgress');
  });

  it('a synth failure of the newest execution is not hidden by an older deploy', () => {
    const deployed = carryingMine('e1', '2026-12-05T10:00:01.000Z', 'done', { status: 'Succeeded' });
    const failed: ExecutionRun = {
      ...execution({ id: 'e2', startedAt: '2026-12-05T10:09:00.000Z' }),
      status: 'Failed',
    };
    const synth = failed.stages[0]?.actions[0] as ActionRun;
    synth.status = 'Failed';
    synth.errorMessage = 'cdk synth exited 1';
    expect(pipelinePosition([deployed, failed], mine)).toEqual({
      kind: 'failed-before-deploy',
      where: 'Build/Synth',
      reason: 'cdk synth exited 1',
    });
  });

  it('an environment nobody provisioned is only carried along: queued, not synthesizing', () => {
    const run = execution({ id: 'e1', startedAt: '2026-12-05T10:00:01.000Z' });
    expect(pipelinePosition([run], { ...mine, provisioned: false })).toEqual({
      kind: 'waiting',
      phase: 'queued',
    });
  });

  it('stays ready while a newer execution redeploys it unchanged and smoke-tests it again', () => {
    const deployed = carryingMine('e1', '2026-12-05T10:00:01.000Z', 'done', { status: 'Succeeded' });
    const rerun = carryingMine('e2', '2026-12-05T10:09:00.000Z', 'smoke-running', { noChange: true });
    const position = pipelinePosition([deployed, rerun], mine);
    expect(position.kind === 'deploy' && position.smoke?.status).toBe('Succeeded');
  });

  it('takes the verdict of the rerun when the execution that deployed it was cancelled before its smoke test', () => {
    // Another engineer's request changed the pipeline: the self-mutation cancels executions in flight
    // and restarts the pipeline, whose run finds the stack deployed already.
    const cancelled = carryingMine('e1', '2026-12-05T10:00:01.000Z', 'smoke-running', {
      status: 'Cancelled',
    });
    const smoke = cancelled.stages[1]?.actions[1] as ActionRun;
    smoke.status = 'Abandoned';
    const restarted = carryingMine('e2', '2026-12-05T10:06:00.000Z', 'smoke-running', { noChange: true });
    const running = pipelinePosition([cancelled, restarted], mine);
    expect(running.kind === 'deploy' && running.smoke?.status).toBe('InProgress');

    const restartedDone = carryingMine('e2', '2026-12-05T10:06:00.000Z', 'done', {
      noChange: true,
      status: 'Succeeded',
    });
    const done = pipelinePosition([cancelled, restartedDone], mine);
    expect(done.kind === 'deploy' && done.smoke?.status).toBe('Succeeded');
  });

  it('a failed smoke test of an unchanged rerun is not hidden by the older success', () => {
    const deployed = carryingMine('e1', '2026-12-05T10:00:01.000Z', 'done', { status: 'Succeeded' });
    const rerun = carryingMine('e2', '2026-12-05T10:09:00.000Z', 'smoke-running', {
      noChange: true,
      status: 'Failed',
    });
    (rerun.stages[1]?.actions[1] as ActionRun).status = 'Failed';
    const position = pipelinePosition([deployed, rerun], mine);
    expect(position.kind === 'deploy' && position.smoke?.status).toBe('Failed');
  });

  it('takes the verdict of the one rerun that smoke-tested it, past later reruns failed by a wave-mate', () => {
    // Seen in the e2e suite: another environment of the same stage failed, so the stage failed before
    // this environment's smoke test ran, in the run that deployed it and in two runs after the one
    // that found it unchanged and smoke-tested it.
    const failedByWaveMate = (id: string, startedAt: string, noChange: boolean) =>
      carryingMine(id, startedAt, 'smoke-running', { status: 'Failed', noChange, alongside: ['pr-8'] });
    const stageFailed = (run: ExecutionRun) => {
      (run.stages[1]?.actions[1] as ActionRun).status = 'NotStarted';
      return run;
    };
    const deployed = stageFailed(failedByWaveMate('e1', '2026-12-05T10:00:01.000Z', false));
    const proven = carryingMine('e2', '2026-12-05T10:02:00.000Z', 'done', {
      noChange: true,
      status: 'Succeeded',
    });
    const later = stageFailed(failedByWaveMate('e3', '2026-12-05T10:05:00.000Z', true));
    const latest = stageFailed(failedByWaveMate('e4', '2026-12-05T10:07:00.000Z', true));
    const position = pipelinePosition([deployed, proven, later, latest], mine);
    expect(position.kind === 'deploy' && position.smoke?.status).toBe('Succeeded');
  });

  it('is untested, with the reason, when a wave-mate failed the stage before its smoke test and no run has come since', () => {
    const deployed = carryingMine('e1', '2026-12-05T10:00:01.000Z', 'smoke-running', {
      status: 'Failed',
      alongside: ['pr-8'],
    });
    (deployed.stages[1]?.actions[1] as ActionRun).status = 'NotStarted';
    const mate = deployed.stages[2]?.actions[0] as ActionRun;
    mate.status = 'Failed';
    const position = pipelinePosition([deployed], mine);
    expect(position.kind === 'deploy' && position.untested).toMatch(
      /smoke test: pr-8\/sep-env-pr-8.Deploy failed \(environment pr-8\)$/,
    );

    // A run on its way to the environment will test it: until then it is deployed, not untested.
    const coming = carryingMine('e2', '2026-12-05T10:06:00.000Z', 'not-reached');
    const waitingForIt = pipelinePosition([deployed, coming], mine);
    expect(waitingForIt.kind === 'deploy' && waitingForIt.untested).toBeUndefined();
  });

  it('stays synthesizing when the run synthesizing it is cut short by a self-mutation and restarts at Source', () => {
    const cut = execution({ id: 'e1', startedAt: '2026-12-05T10:00:01.000Z', status: 'Cancelled' });
    (cut.stages[0]?.actions[0] as ActionRun).status = 'Abandoned';
    const restarted = execution({ id: 'e2', startedAt: '2026-12-05T10:00:30.000Z' });
    (restarted.stages[0]?.actions[0] as ActionRun).status = 'NotStarted';
    expect(pipelinePosition([cut, restarted], mine)).toEqual({ kind: 'waiting', phase: 'synthesizing' });

    // Before any Build has started since the provision, it is queued.
    expect(pipelinePosition([restarted], mine)).toEqual({ kind: 'waiting', phase: 'queued' });
  });
});
