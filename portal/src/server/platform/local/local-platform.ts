import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, realpath, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { physicalName } from '@sep/infra/spec';
import type { EnvironmentRecord, EnvironmentRegistry } from '@sep/pipeline/registry';
import { staticCompliance } from '../../domain/nag-report';
import type {
  ComplianceReport,
  DeploymentProgress,
  DriftReport,
  PipelineStageView,
  PipelineStatus,
  PipelineView,
} from '../../domain/types';
import {
  type DeploymentSnapshot,
  type EnvironmentTarget,
  NoPendingPromotionError,
  NotDeployedError,
  type PlatformPort,
  type PromotionDecision,
} from '../port';
import {
  type Playback,
  planCreate,
  planDelete,
  planNoChangeUpdate,
  playRollout,
  type Rollout,
} from './rollout';
import { readStageArtifacts, type StageArtifacts, synthesizeStage } from './synth';
import { resourceGraph, TemplateResolver } from './template';

/** Account used when a spec names none: the same one `synth-stage.ts` synthesizes for. */
export const LOCAL_ACCOUNT = '111111111111';
/** A spec whose `project` contains `fail=<ResourceType>` fails on that type (local failure injection). */
const FAIL_MARKER = /fail=([A-Za-z0-9]+::[A-Za-z0-9]+::[A-Za-z0-9]+)/;
const MAX_EVENTS = 200;
/** The pipeline's waves: 50 actions per stage, two per one-stack environment (deploy, smoke). */
const STACKS_PER_WAVE_STAGE = 25;
/** Bound of the per-environment memos (settled snapshots, outputs): above any registry this portal serves. */
const MAX_SETTLED_SNAPSHOTS = 5000;

interface SettledSnapshot {
  readonly state: LocalEnvironmentState;
  readonly artifacts: StageArtifacts | undefined;
  /** Epoch ms from which the playback no longer depends on the clock. */
  readonly stableFrom: number;
  readonly snapshot: DeploymentSnapshot;
}

export interface LocalEnvironmentState {
  readonly environmentSuffix: string;
  readonly kind: EnvironmentRecord['spec']['kind'];
  readonly stackName: string;
  readonly synth?: {
    readonly status: 'running' | 'succeeded' | 'failed';
    readonly startedAt: string;
    readonly finishedAt?: string;
    readonly reason?: string;
  };
  readonly rollouts: readonly Rollout[];
}

interface PipelineExecution {
  readonly executionId: string;
  readonly startedAt: string;
  /** The environment whose request started it. */
  readonly trigger: string;
  /** `git rev-parse HEAD` of the repository the stages are synthesized from, when it is a git checkout. */
  readonly sourceRevision?: string;
  readonly approval?: {
    readonly status: 'approved' | 'rejected';
    readonly decidedBy: string;
    readonly decidedAt: string;
    readonly comment: string;
  };
}

interface PipelineState {
  readonly executions: readonly PipelineExecution[];
}

export interface LocalPlatformOptions {
  /** The platform reads the registry the way the real pipeline's synth does. */
  readonly registry: EnvironmentRegistry;
  /** `<data>/platform`: per-environment state, synthesized stages, pipeline state. */
  readonly dataDir: string;
  readonly repoRoot: string;
  /** @default 10 */
  readonly speedFactor?: number;
  /** Every create fails on the first resource of this type. */
  readonly failResourceType?: string;
  /**
   * Every create waits before the first resource of this type starts, while this option is set (tests
   * that must act at a known point of a deployment). The wait is written into the persisted plan, so a
   * portal started without the option resumes the rollout from there.
   */
  readonly holdBeforeResourceType?: string;
  /** @default () => new Date() */
  readonly clock?: () => Date;
  /** Pipeline name shown on the pipeline page. @default 'sep-environments (local)' */
  readonly pipelineName?: string;
}

/**
 * The local delivery platform: it really synthesizes each requested stage
 * (child process, real template and cdk-nag report) and plays the deployment
 * from the template's own resource graph. Everything it decides is persisted
 * under `dataDir` and playback is a pure function of the clock, so a restart
 * mid-deployment resumes where the deployment would be.
 */
export class LocalPlatform implements PlatformPort {
  readonly mode = 'local' as const;
  readonly simulated = true;
  private readonly states = new Map<string, LocalEnvironmentState>();
  private readonly artifacts = new Map<string, StageArtifacts>();
  private readonly parsedStages = new Map<string, Promise<StageArtifacts>>();
  /** Outputs of a finished create, per environment and rollout start: they never change afterwards. */
  private readonly outputsCache = new Map<string, DeploymentSnapshot['outputs']>();
  /**
   * Per environment, the snapshot of rollouts whose playback can no longer change (finished or
   * interrupted): replaying 150 resources on every read would cost ~1 ms for the same answer. Valid
   * while the state and artifacts it was computed from are the ones in hand; one entry per environment.
   */
  private readonly settledSnapshots = new Map<string, SettledSnapshot>();
  private readonly synthsInFlight = new Map<string, Promise<void>>();
  private readonly speedFactor: number;
  private readonly clock: () => Date;
  private pipelineState: PipelineState | undefined;
  private writes: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: LocalPlatformOptions) {
    this.speedFactor = options.speedFactor ?? 10;
    this.clock = options.clock ?? (() => new Date());
  }

  // -- environments -----------------------------------------------------------

  async provision({ record }: EnvironmentTarget): Promise<void> {
    const current = await this.load(record.environmentSuffix);
    const last = current?.rollouts.at(-1);
    const deployedOk =
      last !== undefined &&
      last.operation !== 'delete' &&
      playRollout(last, current?.stackName ?? '', this.clock()).succeeded;
    await this.startExecution(record.environmentSuffix);
    if (current !== undefined && deployedOk && current.synth?.status === 'succeeded') {
      await this.save({
        ...current,
        rollouts: [
          ...current.rollouts,
          planNoChangeUpdate({ startedAt: this.clock(), speedFactor: this.speedFactor }),
        ],
      });
      return;
    }
    await this.startSynth(record, current?.rollouts ?? []);
  }

  async destroy({ record }: EnvironmentTarget): Promise<void> {
    const state = (await this.load(record.environmentSuffix)) ?? this.emptyState(record);
    const now = this.clock();
    const last = state.rollouts.at(-1);
    const rollouts = [...state.rollouts];
    let existing: string[] = [];
    if (last !== undefined && last.operation !== 'delete') {
      const elapsed = now.getTime() - Date.parse(last.startedAt);
      const playback = playRollout(last, state.stackName, now);
      if (!playback.finished) rollouts[rollouts.length - 1] = { ...last, interruptedAtMs: elapsed };
      // What exists: resources whose create started (a rolled-back create left nothing).
      existing =
        last.failure !== undefined && playback.finished
          ? []
          : last.resources
              .filter((r) => r.outcome !== 'not-started' && r.startMs <= elapsed)
              .map((r) => r.logicalId);
      if (last.operation === 'update') existing = this.previousResources(state);
    }
    const artifacts = this.artifacts.get(record.environmentSuffix) ?? (await this.tryArtifacts(state));
    const nodes = artifacts
      ? resourceGraph(artifacts.template).filter((n) => existing.includes(n.logicalId))
      : [];
    const resolver = artifacts ? this.resolver(record, artifacts) : undefined;
    rollouts.push(
      planDelete({
        nodes,
        physicalId: (id) => resolver?.physicalId(id) ?? id,
        startedAt: now,
        speedFactor: this.speedFactor,
      }),
    );
    // A synth still running is abandoned: the delete is what the owner wants now.
    const synth =
      state.synth?.status === 'running'
        ? { ...state.synth, status: 'failed' as const, reason: 'cancelled by destroy' }
        : state.synth;
    await this.save({ ...state, ...(synth === undefined ? {} : { synth }), rollouts });
  }

  async describe({ record }: EnvironmentTarget): Promise<DeploymentSnapshot> {
    const state = await this.load(record.environmentSuffix);
    const stackName = this.stackName(record.environmentSuffix);
    if (state === undefined) {
      return {
        stackName,
        progress: {
          phase: record.status === 'destroyed' ? 'destroyed' : 'queued',
          resourcesDone: 0,
          resourcesTotal: 0,
          percent: 0,
        },
        events: [],
        timeline: [],
        outputs: [],
      };
    }
    const last = state.rollouts.at(-1);
    const synth = state.synth;
    // A synth newer than the last rollout decides the phase.
    if (
      synth !== undefined &&
      (last === undefined || Date.parse(synth.startedAt) > Date.parse(last.startedAt))
    ) {
      if (synth.status === 'running') {
        if (!this.synthsInFlight.has(record.environmentSuffix)) this.resumeSynth(record, state);
        return this.synthSnapshot(state, { phase: 'synthesizing', startedAt: synth.startedAt });
      }
      if (synth.status === 'failed') {
        return {
          ...this.synthSnapshot(state, {
            phase: 'failed',
            startedAt: synth.startedAt,
            finishedAt: synth.finishedAt,
          }),
          failure: {
            logicalResourceId: stackName,
            resourceType: 'AWS::CDK::Stage',
            reason: synth.reason ?? 'synth failed',
          },
        };
      }
    }
    if (last === undefined) return this.synthSnapshot(state, { phase: 'queued' });
    const now = this.clock();
    const holding = this.options.holdBeforeResourceType;
    const held = holding === undefined ? undefined : holdBefore(last, holding, now);
    if (held !== undefined) {
      await this.save({ ...state, rollouts: [...state.rollouts.slice(0, -1), held] });
      return this.describe({ record });
    }
    const artifacts = await this.tryArtifacts(state);
    const settled = this.settledSnapshots.get(record.environmentSuffix);
    if (
      settled !== undefined &&
      settled.state === state &&
      settled.artifacts === artifacts &&
      now.getTime() >= settled.stableFrom
    )
      return settled.snapshot;
    const playback = playRollout(last, state.stackName, now, { maxEvents: MAX_EVENTS });
    const previous = state.rollouts.at(-2);
    const usesPrevious = previous !== undefined && playback.events.length < MAX_EVENTS;
    const earlier = usesPrevious
      ? playRollout(previous, state.stackName, now, { maxEvents: MAX_EVENTS }).events
      : [];
    const events = [...earlier, ...playback.events].slice(-MAX_EVENTS);
    const outputs =
      playback.succeeded && artifacts !== undefined ? this.outputsOf(record, artifacts, last) : [];
    const failure = last.failure !== undefined && playback.phase !== 'deploying' ? last.failure : undefined;
    const snapshot: DeploymentSnapshot = {
      stackName: state.stackName,
      progress: progressOf(playback, last),
      events,
      timeline: playback.timeline,
      outputs,
      ...(failure === undefined
        ? {}
        : {
            failure: {
              logicalResourceId: failure.logicalId,
              resourceType: failure.type,
              reason: failure.reason,
            },
          }),
    };
    const stableFrom = Math.max(settledAt(last), usesPrevious ? settledAt(previous) : 0);
    if (now.getTime() >= stableFrom) {
      this.settledSnapshots.delete(record.environmentSuffix);
      if (this.settledSnapshots.size >= MAX_SETTLED_SNAPSHOTS)
        this.settledSnapshots.delete(this.settledSnapshots.keys().next().value as string);
      this.settledSnapshots.set(record.environmentSuffix, { state, artifacts, stableFrom, snapshot });
    } else this.settledSnapshots.delete(record.environmentSuffix);
    return snapshot;
  }

  async compliance({ record }: EnvironmentTarget): Promise<ComplianceReport> {
    const state = await this.load(record.environmentSuffix);
    const artifacts = state === undefined ? undefined : await this.tryArtifacts(state);
    return {
      environmentSuffix: record.environmentSuffix,
      static: staticCompliance(artifacts?.nagReport),
      runtime: {
        available: false,
        unavailableReason: 'local mode: AWS Config rule results exist only in aws mode',
        rules: [],
      },
    };
  }

  async detectDrift({ record }: EnvironmentTarget): Promise<DriftReport> {
    const snapshot = await this.describe({ record });
    if (snapshot.progress.phase !== 'complete') {
      throw new NotDeployedError(
        `environment "${record.environmentSuffix}" has no deployed stack to check for drift`,
      );
    }
    // Nothing changes resources out of band on this machine: every resource is as deployed.
    return {
      environmentSuffix: record.environmentSuffix,
      status: 'IN_SYNC',
      detectedAt: this.clock().toISOString(),
      driftedResources: [],
      simulated: true,
    };
  }

  // -- pipeline ---------------------------------------------------------------

  async pipeline(): Promise<Omit<PipelineView, 'canDecide'>> {
    const state = await this.loadPipeline();
    const now = this.clock().toISOString();
    const records = await this.options.registry.list();
    const phaseOf = async (record: EnvironmentRecord) => (await this.describe({ record })).progress.phase;
    const statusOfPhase = (phase: string): PipelineStatus =>
      phase === 'complete'
        ? 'Succeeded'
        : phase === 'failed'
          ? 'Failed'
          : phase === 'queued'
            ? 'NotStarted'
            : 'InProgress';
    const ephemeral = records.filter((r) => r.spec.kind === 'ephemeral' && r.status !== 'destroyed');
    const stages: PipelineStageView[] = [
      {
        name: 'Source',
        status: 'Succeeded',
        actions: [
          { name: 'sep-repository', status: 'Succeeded', summary: 'CodeStar connection (local mode)' },
        ],
      },
      {
        name: 'Build',
        status: 'Succeeded',
        actions: [{ name: 'Synth', status: 'Succeeded', summary: 'registry → cdk synth, cdk-nag' }],
      },
      { name: 'UpdatePipeline', status: 'Succeeded', actions: [{ name: 'SelfMutate', status: 'Succeeded' }] },
    ];
    for (let i = 0; i < ephemeral.length; i += STACKS_PER_WAVE_STAGE) {
      const shard = ephemeral.slice(i, i + STACKS_PER_WAVE_STAGE);
      const actions = await Promise.all(
        shard.map(async (record) => ({
          name: `${this.stackName(record.environmentSuffix)}.Deploy`,
          status: statusOfPhase(await phaseOf(record)),
          lastChangedAt: record.updatedAt,
        })),
      );
      stages.push({
        name: `Ephemeral.${i / STACKS_PER_WAVE_STAGE + 1}`,
        status: combine(actions.map((a) => a.status)),
        actions,
      });
    }
    const stagings = records.filter((r) => r.spec.kind === 'staging' && r.status !== 'destroyed');
    const prod = records.find((r) => r.spec.kind === 'prod');
    const stagingActions = await Promise.all(
      stagings.map(async (record) => ({
        name: `${this.stackName(record.environmentSuffix)}.Deploy`,
        status: statusOfPhase(await phaseOf(record)),
        lastChangedAt: record.updatedAt,
      })),
    );
    const stagingStatus: PipelineStatus =
      stagingActions.length > 0 ? combine(stagingActions.map((a) => a.status)) : 'NotStarted';
    const latest = state.executions.at(-1);
    const approval = latest?.approval;
    const awaiting = latest !== undefined && approval === undefined && stagingStatus === 'Succeeded';
    const approvalStatus: PipelineStatus = approval
      ? approval.status === 'approved'
        ? 'Succeeded'
        : 'Failed'
      : awaiting
        ? 'InProgress'
        : 'NotStarted';
    const prodStatus: PipelineStatus =
      prod && approval?.status === 'approved' ? statusOfPhase(await phaseOf(prod)) : 'NotStarted';
    stages.push(
      {
        name: 'Staging',
        status: stagingStatus,
        actions: stagingActions,
      },
      {
        name: 'PromoteToProd',
        status: approvalStatus,
        actions: [
          {
            name: 'PromoteToProd',
            status: approvalStatus,
            ...(approval
              ? {
                  lastChangedAt: approval.decidedAt,
                  summary: `${approval.status} by ${approval.decidedBy}${approval.comment ? `: ${approval.comment}` : ''}`,
                }
              : {}),
          },
        ],
      },
      {
        name: 'Prod',
        status: prodStatus,
        actions: prod
          ? [
              {
                name: `${this.stackName(prod.environmentSuffix)}.Deploy`,
                status: prodStatus,
                lastChangedAt: prod.updatedAt,
              },
            ]
          : [],
      },
    );
    const executionStatus: PipelineStatus =
      approval?.status === 'rejected'
        ? 'Failed'
        : combine(
            stages.map((stage) => stage.status).filter((status) => status !== 'NotStarted' || !awaiting),
          );
    return {
      pipelineName: this.options.pipelineName ?? 'sep-environments (local)',
      mode: 'local',
      simulated: true,
      stages,
      ...(latest === undefined
        ? {}
        : {
            currentExecution: {
              executionId: latest.executionId,
              status: awaiting || executionStatus === 'NotStarted' ? 'InProgress' : executionStatus,
              startedAt: latest.startedAt,
            },
          }),
      ...(awaiting && latest !== undefined
        ? {
            pendingPromotion: {
              stageName: 'PromoteToProd',
              actionName: 'PromoteToProd',
              // The approval of THIS execution waits from when it started or staging finished, whichever is later.
              requestedAt: [latest.startedAt, ...stagings.map((r) => r.updatedAt)].sort().at(-1) ?? now,
              executionId: latest.executionId,
              ...(latest.sourceRevision === undefined ? {} : { sourceRevision: latest.sourceRevision }),
              requestedBy:
                records.find((r) => r.environmentSuffix === latest.trigger)?.requestedBy ?? latest.trigger,
            },
          }
        : {}),
    };
  }

  async decidePromotion(decision: PromotionDecision): Promise<void> {
    const view = await this.pipeline();
    const pending = view.pendingPromotion;
    if (pending === undefined) throw new NoPendingPromotionError();
    const state = await this.loadPipeline();
    const executions = state.executions.map((execution) =>
      execution.executionId === pending.executionId
        ? {
            ...execution,
            approval: {
              status: decision.decision === 'approve' ? ('approved' as const) : ('rejected' as const),
              decidedBy: decision.actor,
              decidedAt: this.clock().toISOString(),
              comment: decision.comment,
            },
          }
        : execution,
    );
    await this.savePipeline({ executions });
    if (decision.decision === 'approve') {
      const prod = (await this.options.registry.list()).find((r) => r.spec.kind === 'prod');
      if (prod !== undefined) await this.deploy(prod);
    }
  }

  /** Starts a pipeline execution the way the portal does in aws mode after a registry write. */
  async startExecution(trigger: string): Promise<void> {
    const state = await this.loadPipeline();
    const executionId = `local-${String(state.executions.length + 1).padStart(4, '0')}-${trigger}`;
    const sourceRevision = await gitHead(this.options.repoRoot);
    // Keep a bounded history: only the latest execution is shown.
    const executions = [
      ...state.executions.slice(-20),
      {
        executionId,
        startedAt: this.clock().toISOString(),
        trigger,
        ...(sourceRevision === undefined ? {} : { sourceRevision }),
      },
    ];
    await this.savePipeline({ executions });
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.synthsInFlight.values()]);
    await this.writes;
  }

  // -- internals --------------------------------------------------------------

  /** Brings an environment up without starting a pipeline execution (prod after approval). */
  private async deploy(record: EnvironmentRecord): Promise<void> {
    const current = await this.load(record.environmentSuffix);
    await this.startSynth(record, current?.rollouts ?? []);
  }

  private stackName(environmentSuffix: string): string {
    return physicalName('environmentStack', { suffix: environmentSuffix });
  }

  private emptyState(record: EnvironmentRecord): LocalEnvironmentState {
    return {
      environmentSuffix: record.environmentSuffix,
      kind: record.spec.kind,
      stackName: this.stackName(record.environmentSuffix),
      rollouts: [],
    };
  }

  private envDir(environmentSuffix: string): string {
    return path.join(this.options.dataDir, 'environments', environmentSuffix);
  }

  private outDir(environmentSuffix: string): string {
    return path.join(this.envDir(environmentSuffix), 'stage.out');
  }

  private synthSnapshot(
    state: LocalEnvironmentState,
    progress: Partial<DeploymentProgress> & Pick<DeploymentProgress, 'phase'>,
  ): DeploymentSnapshot {
    return {
      stackName: state.stackName,
      progress: { resourcesDone: 0, resourcesTotal: 0, percent: 0, ...progress },
      events: [],
      timeline: [],
      outputs: [],
    };
  }

  private async startSynth(record: EnvironmentRecord, rollouts: readonly Rollout[]): Promise<void> {
    const state: LocalEnvironmentState = {
      ...this.emptyState(record),
      rollouts,
      synth: { status: 'running', startedAt: this.clock().toISOString() },
    };
    // Claim the synth before the write: a concurrent describe must not start a second one.
    this.synthsInFlight.set(record.environmentSuffix, Promise.resolve());
    await this.save(state);
    this.resumeSynth(record, state);
  }

  /** Runs (or, after a restart, re-runs) the synth, then plans the create from the template. */
  private resumeSynth(record: EnvironmentRecord, state: LocalEnvironmentState): void {
    const suffix = record.environmentSuffix;
    this.artifacts.delete(suffix);
    for (const key of this.parsedStages.keys()) {
      if (key.startsWith(`${this.envDir(suffix)}${path.sep}`)) this.parsedStages.delete(key);
    }
    const work = (async () => {
      const startedAt = state.synth?.startedAt ?? this.clock().toISOString();
      try {
        await synthesizeStage({
          repoRoot: this.options.repoRoot,
          spec: record.spec,
          outDir: this.outDir(suffix),
        });
        const artifacts = await readStageArtifacts({
          outDir: this.outDir(suffix),
          stackName: state.stackName,
        });
        this.artifacts.set(suffix, artifacts);
        const latest = (await this.load(suffix)) ?? state;
        if (latest.synth?.status !== 'running') return; // destroyed meanwhile
        const resolver = this.resolver(record, artifacts);
        const failResourceType = FAIL_MARKER.exec(record.spec.project)?.[1] ?? this.options.failResourceType;
        const rollout = planCreate({
          nodes: resourceGraph(artifacts.template),
          physicalId: (id) => resolver.physicalId(id),
          startedAt: this.clock(),
          speedFactor: this.speedFactor,
          ...(failResourceType === undefined ? {} : { failResourceType }),
        });
        await this.save({
          ...latest,
          synth: { status: 'succeeded', startedAt, finishedAt: this.clock().toISOString() },
          rollouts: [...latest.rollouts, rollout],
        });
      } catch (error) {
        const latest = (await this.load(suffix)) ?? state;
        if (latest.synth?.status !== 'running') return;
        await this.save({
          ...latest,
          synth: {
            status: 'failed',
            startedAt,
            finishedAt: this.clock().toISOString(),
            reason: error instanceof Error ? error.message : String(error),
          },
        });
      } finally {
        this.synthsInFlight.delete(suffix);
      }
    })();
    this.synthsInFlight.set(suffix, work);
  }

  private outputsOf(
    record: EnvironmentRecord,
    artifacts: StageArtifacts,
    rollout: Rollout,
  ): DeploymentSnapshot['outputs'] {
    const key = `${record.environmentSuffix}@${rollout.startedAt}`;
    let outputs = this.outputsCache.get(key);
    if (outputs === undefined) {
      outputs = this.resolver(record, artifacts).outputs();
      if (this.outputsCache.size >= MAX_SETTLED_SNAPSHOTS)
        this.outputsCache.delete(this.outputsCache.keys().next().value as string);
      this.outputsCache.set(key, outputs);
    }
    return outputs;
  }

  private resolver(record: EnvironmentRecord, artifacts: StageArtifacts): TemplateResolver {
    return new TemplateResolver(artifacts.template, {
      stackName: artifacts.stackName,
      region: record.spec.region,
      account: record.spec.account ?? LOCAL_ACCOUNT,
      environmentSuffix: record.environmentSuffix,
    });
  }

  private previousResources(state: LocalEnvironmentState): string[] {
    const create = [...state.rollouts]
      .reverse()
      .find((r) => r.operation === 'create' && r.failure === undefined);
    return create?.resources.map((r) => r.logicalId) ?? [];
  }

  private async tryArtifacts(state: LocalEnvironmentState): Promise<StageArtifacts | undefined> {
    const cached = this.artifacts.get(state.environmentSuffix);
    if (cached) return cached;
    const outDir = this.outDir(state.environmentSuffix);
    if (state.synth?.status !== 'succeeded' || !existsSync(outDir)) return undefined;
    try {
      // Keyed by the real directory: one parse per synthesized stage, however it is linked.
      const key = await realpath(outDir);
      let parsing = this.parsedStages.get(key);
      if (parsing === undefined) {
        parsing = readStageArtifacts({ outDir, stackName: state.stackName });
        this.parsedStages.set(key, parsing);
        parsing.catch(() => this.parsedStages.delete(key));
      }
      const artifacts = { ...(await parsing), stackName: state.stackName };
      this.artifacts.set(state.environmentSuffix, artifacts);
      return artifacts;
    } catch {
      return undefined;
    }
  }

  /** Current state of one environment (memory first, then the data folder). */
  async load(environmentSuffix: string): Promise<LocalEnvironmentState | undefined> {
    const cached = this.states.get(environmentSuffix);
    if (cached) return cached;
    const file = path.join(this.envDir(environmentSuffix), 'state.json');
    if (!existsSync(file)) return undefined;
    const state = JSON.parse(await readFile(file, 'utf8')) as LocalEnvironmentState;
    this.states.set(environmentSuffix, state);
    return state;
  }

  /** Writes state atomically (temp file + rename) so a crash never leaves half a file. */
  async save(state: LocalEnvironmentState): Promise<void> {
    this.states.set(state.environmentSuffix, state);
    const dir = this.envDir(state.environmentSuffix);
    await this.serialized(async () => {
      await mkdir(dir, { recursive: true });
      const tmp = path.join(dir, 'state.json.tmp');
      await writeFile(tmp, JSON.stringify(state));
      await rename(tmp, path.join(dir, 'state.json'));
    });
  }

  private async loadPipeline(): Promise<PipelineState> {
    if (this.pipelineState) return this.pipelineState;
    const file = path.join(this.options.dataDir, 'pipeline.json');
    this.pipelineState = existsSync(file)
      ? (JSON.parse(await readFile(file, 'utf8')) as PipelineState)
      : { executions: [] };
    return this.pipelineState;
  }

  private async savePipeline(state: PipelineState): Promise<void> {
    this.pipelineState = state;
    await this.serialized(async () => {
      await mkdir(this.options.dataDir, { recursive: true });
      const file = path.join(this.options.dataDir, 'pipeline.json');
      await writeFile(`${file}.tmp`, JSON.stringify(state));
      await rename(`${file}.tmp`, file);
    });
  }

  private serialized(work: () => Promise<void>): Promise<void> {
    const next = this.writes.then(work);
    this.writes = next.catch(() => undefined);
    return next;
  }
}

function progressOf(playback: Playback, rollout: Rollout): DeploymentProgress {
  const total = playback.resourcesTotal;
  const percent =
    playback.phase === 'complete' || playback.phase === 'destroyed'
      ? 100
      : total === 0
        ? 0
        : Math.min(99, Math.round((playback.resourcesDone / total) * 100));
  const finishedAt = playback.finished
    ? new Date(Date.parse(rollout.startedAt) + rollout.endMs).toISOString()
    : undefined;
  return {
    phase: playback.phase,
    resourcesDone: playback.resourcesDone,
    resourcesTotal: total,
    percent,
    startedAt: rollout.startedAt,
    ...(finishedAt === undefined ? {} : { finishedAt }),
  };
}

/** When a rollout's playback stops changing: at its end, or where a later operation interrupted it. */
function settledAt(rollout: Rollout): number {
  return (
    Date.parse(rollout.startedAt) +
    Math.min(rollout.endMs, rollout.interruptedAtMs ?? Number.POSITIVE_INFINITY)
  );
}

function combine(statuses: readonly PipelineStatus[]): PipelineStatus {
  if (statuses.includes('Failed')) return 'Failed';
  if (statuses.includes('InProgress')) return 'InProgress';
  if (statuses.length > 0 && statuses.every((s) => s === 'Succeeded')) return 'Succeeded';
  return statuses.length === 0 ? 'NotStarted' : 'InProgress';
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

/** The commit the local synth reads (what a CodeStar source action would report), if a git checkout. */
async function gitHead(repoRoot: string): Promise<string | undefined> {
  try {
    const { stdout } = await promisify(execFile)('git', ['rev-parse', '--short=12', 'HEAD'], {
      cwd: repoRoot,
      timeout: 5000,
    });
    return stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}
