import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import {
  LOCAL_CREDENTIALS,
  type LocalApi,
  type LocalApiKey,
  type LocalAwsEndpoints,
  type LocalS3,
  startLocalAwsEndpoints,
  startLocalS3,
} from '@sep/pipeline/local-aws';
import { reapSynthSteps, snapshotSource } from '@sep/pipeline/rehearsal';
import type { EnvironmentRecord, EnvironmentRegistry } from '@sep/registry';
import { environmentStackName } from '@sep/registry/names';
import { z } from 'zod';
import { logger } from '../../logger';
import { readJsonFile, replaceJsonFile, setAside } from './json-file';
import { LocalActions } from './local-actions';
import type { ActionWork, ExecutionOrigin, ExecutionRun, PipelineState } from './pipeline-run';
import type { StateRecovery } from './pipeline-state-file';
import { bootstrapAssemblyDir, LocalPipelines } from './pipelines';
import { headRevision, SourceTrigger } from './source-trigger';
import type { StackAddress } from './stack-model';
import { LocalStacks } from './stacks';

/** The compliance-reports bucket of the local pipeline (what `ComplianceReportsBucketName` is in AWS). */
export const LOCAL_COMPLIANCE_BUCKET = 'sep-local-compliance-reports';

/** `provisions.json`: when each environment was last provisioned, by suffix. */
const provisionTimesSchema = z.record(z.string(), z.iso.datetime());

export interface LocalPlatformOptions {
  /** The registry the local pipeline's synth step exports (the portal's own). */
  readonly registry: EnvironmentRegistry;
  /** Where the synth step's export reads the registry: the local DynamoDB endpoint and table. */
  readonly registryStore: { readonly endpoint: string; readonly tableName: string };
  /** `<data>/platform`: the pipeline, its runs, the stacks, the local S3. */
  readonly dataDir: string;
  /** The repository the local Source action hands to the Build (the working tree). */
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
  /** Told whenever the pipeline moved (the live hub re-reads instead of waiting for its next poll). */
  readonly onChange?: () => void;
  /**
   * How often the repository's checked-out commit is compared with the last one the pipelines ran for
   * (the local source connection: a new commit starts both pipelines).
   * @default 5000
   */
  readonly sourcePollIntervalMs?: number;
}

/**
 * What the local services share: the played pipelines and stacks, the local S3 and API endpoints, the
 * pipeline's one-time deployment, and when each environment was last provisioned. The pipeline's
 * actions do their real work in `LocalActions`.
 */
export class LocalDelivery {
  readonly stacks: LocalStacks;
  readonly pipelines: LocalPipelines;
  readonly speedFactor: number;
  readonly clock: () => Date;
  readonly apis = new Map<string, LocalApi>();
  readonly apiKeys = new Map<string, LocalApiKey>();
  services: Promise<{ s3: LocalS3; endpoints: LocalAwsEndpoints; s3Client: S3Client }> | undefined;
  bootstrapping: Promise<void> | undefined;
  /** Why the pipeline's first deployment failed (shown on every environment; a restart tries again). */
  bootstrapError: string | undefined;
  provisions: Record<string, string> | undefined;
  /** Registry writes waiting for the environments pipeline's deploying execution to end (see `requestRun`). */
  readonly wanted: { readonly trigger: string; readonly requestedBy?: string }[] = [];
  private readonly actions: LocalActions;
  private readonly sourceTrigger: SourceTrigger;
  private readonly sourcePoll: NodeJS.Timeout;

  constructor(readonly options: LocalPlatformOptions) {
    // Synths a killed portal left running (their own process groups) end before anything synthesizes.
    const reaped = reapSynthSteps(options.dataDir);
    if (reaped.length > 0)
      logger.warn({ processGroups: reaped }, 'local pipeline: ended synths left by a previous run');
    this.speedFactor = options.speedFactor ?? 10;
    this.actions = new LocalActions(this);
    this.clock = options.clock ?? (() => new Date());
    this.stacks = new LocalStacks({
      dataDir: path.join(options.dataDir, 'stacks'),
      speedFactor: this.speedFactor,
    });
    const work: ActionWork = {
      synth: (execution, definition, signal) => this.actions.synth(execution, definition, signal),
      deploy: (execution, action, at, definition) =>
        this.actions.deployAction(execution, action, at, definition),
      deployProgress: (execution, action, now) => this.actions.deployProgress(execution, action, now),
      smoke: (execution, action, signal, definition) =>
        this.actions.smoke(execution, action, signal, definition),
    };
    this.pipelines = new LocalPipelines({
      dataDir: path.join(options.dataDir, 'pipeline'),
      speedFactor: this.speedFactor,
      work,
      clock: this.clock,
      ...(options.onChange === undefined ? {} : { onChange: options.onChange }),
      onError: (error) =>
        logger.error({ err: error }, 'local pipeline: advancing failed; retrying on the next tick'),
      onStateRecovered: (pipelineName, recovery) =>
        logger.error(
          { pipelineName, ...recovery },
          `local pipeline: unusable state file set aside; running from: ${recovery.recoveredFrom}`,
        ),
      // Writes that waited for a deploying execution get their run once it ends.
      onExecutionEnded: () =>
        void this.catchUp().catch((error: unknown) =>
          logger.error({ err: error }, 'local pipeline: starting a waiting run failed'),
        ),
    });
    this.sourceTrigger = new SourceTrigger({
      revision: () => headRevision(options.repoRoot),
      stateFile: path.join(options.dataDir, 'pipeline', 'source.json'),
      onNewRevision: (revision) => this.sourceChanged(revision),
    });
    this.sourcePoll = setInterval(
      () =>
        void this.checkSource().catch((error: unknown) =>
          logger.error({ err: error }, 'local pipeline: starting the runs of a source change failed'),
        ),
      options.sourcePollIntervalMs ?? 5000,
    );
    // The poll never keeps a process alive on its own (tests, scripts that only read the platform).
    this.sourcePoll.unref();
  }

  /**
   * Starts the environments pipeline for a registry write, unless an execution of it is deploying: its
   * self-mutation would cancel that execution (CodePipeline fails in-flight executions on a definition
   * update) while CloudFormation goes on with the stacks it started, and the restarted run's deploy
   * actions would then fail on those stacks (`… is in CREATE_IN_PROGRESS state and can not be updated`).
   * The write waits instead, and one run carries every write that waited once that execution ends.
   * Before the deploying stages (Source, Build, self-mutation) a new execution cancels nothing that
   * deploys, and SUPERSEDED mode lets the newest go on. Provisions reach here only when the reconciler saw
   * no deploying execution (it holds them otherwise); a destroy's run and a race with an execution that
   * started deploying since are what wait here.
   */
  async requestRun(trigger: string, requestedBy?: string): Promise<void> {
    const player = await this.pipelines.environments();
    if (deployingExecution(await player.peek()) !== undefined) {
      this.wanted.push({ trigger, ...(requestedBy === undefined ? {} : { requestedBy }) });
      return;
    }
    await player.startExecution(trigger, await this.origin(requestedBy === undefined ? [] : [requestedBy]));
  }

  /**
   * Stops the executions that would deploy an environment being destroyed (queued after their synth, or
   * synthesizing), so none of them deploys it again after its stack is deleted. Nothing they carried
   * for other environments is lost: the destroy's own run (`requestRun`, right after) synthesizes the
   * whole registry. Returns the stopped executions' ids.
   */
  async stopRunsDeploying(record: EnvironmentRecord): Promise<string[]> {
    if (!(await this.pipelines.isDeployed())) return [];
    const player = await this.pipelines.forKind(record.spec.kind);
    const stopped: string[] = [];
    for (const execution of (await player.peek())?.executions ?? []) {
      if (!wouldDeploy(execution, record.environmentSuffix)) continue;
      await player.stopExecution(
        execution.executionId,
        `stopped: ${record.environmentSuffix} is being destroyed; the destroy's run carries the other registry writes`,
      );
      stopped.push(execution.executionId);
    }
    return stopped;
  }

  /**
   * Deploys the pipeline in the background when it is not (once per data folder), then starts the
   * execution any provision is still waiting for.
   */
  deployPipeline(): void {
    if (this.bootstrapping !== undefined) return;
    this.bootstrap().then(
      () => this.catchUp(),
      (error: unknown) => {
        this.bootstrapError = error instanceof Error ? error.message : String(error);
        logger.error({ err: error }, 'local pipeline: its first deployment failed');
      },
    );
  }

  /** A provision newer than every execution (made before the pipeline existed, or before a crash) gets one. */
  async catchUp(): Promise<void> {
    if (!(await this.pipelines.isDeployed())) return;
    const player = await this.pipelines.environments();
    const state = await player.peek();
    if (deployingExecution(state) !== undefined) return;
    const newest = state?.executions.at(-1)?.startedAt ?? '';
    const wanted = this.wanted.splice(0);
    const waiting = [
      ...wanted.map((write) => write.trigger),
      ...Object.entries(await this.provisionTimes())
        .filter(([, at]) => at > newest)
        .map(([suffix]) => `registry write: ${suffix}`),
    ];
    // One run carries every write that waited: it is everyone's change (separation of duties counts them all).
    const requesters = wanted.flatMap((write) =>
      write.requestedBy === undefined ? [] : [write.requestedBy],
    );
    if (waiting.length > 0)
      await player.startExecution([...new Set(waiting)].join('; '), await this.origin(requesters));
  }

  /**
   * The operator's first `cdk deploy` of the pipeline stack, as pipeline/README.md has it: from a clean
   * checkout (no environments file yet), the Lambda bundles built (the TTL sweeper deploys one), then the
   * pipeline app synthesized through the CDK CLI with no credentials. Once per data folder.
   */
  bootstrap(): Promise<void> {
    this.bootstrapping ??= (async () => {
      if (await this.pipelines.isDeployed()) return;
      const out = bootstrapAssemblyDir(path.join(this.options.dataDir, 'pipeline'));
      const dir = path.dirname(out);
      const source = path.join(dir, 'source');
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir, { recursive: true });
      await snapshotSource({ repoRoot: this.options.repoRoot, into: source });
      await operatorCommand(source, 'npm', ['run', 'build', '-w', '@sep/lambda']);
      await operatorCommand(path.join(source, 'pipeline'), 'npx', [
        '--no-install',
        'cdk',
        'synth',
        '-q',
        '-o',
        out,
      ]);
      await this.pipelines.deploy(out);
    })();
    return this.bootstrapping;
  }

  localServices() {
    this.services ??= (async () => {
      const s3 = await startLocalS3({
        dataDir: path.join(this.options.dataDir, 's3'),
        buckets: [LOCAL_COMPLIANCE_BUCKET],
      });
      const endpoints = await startLocalAwsEndpoints({
        apis: { api: (id) => this.apis.get(id), apiKey: (id) => this.apiKeys.get(id) },
      });
      const s3Client = new S3Client({
        region: 'us-east-1',
        endpoint: s3.endpoint,
        forcePathStyle: true,
        credentials: LOCAL_CREDENTIALS,
        maxAttempts: 2,
      });
      return { s3, endpoints, s3Client };
    })();
    return this.services;
  }

  /**
   * The commit the local Source action hands over (`revision`, or the one checked out now), and who
   * asked. The Build action synthesizes that commit's tree.
   */
  async origin(requesters: readonly string[], revision?: string): Promise<ExecutionOrigin> {
    const sourceRevision = (revision ?? (await headRevision(this.options.repoRoot)))?.slice(0, 12);
    return {
      ...(sourceRevision === undefined ? {} : { sourceRevision }),
      ...originRequesters(requesters),
    };
  }

  /**
   * A new commit in the repository: both pipelines run, as the source connection starts them on a push.
   * The environments pipeline's run waits like a registry write's when an execution is deploying; the
   * release pipeline queues its run behind a pending promotion (QUEUED), which it never replaces.
   */
  async sourceChanged(revision: string): Promise<void> {
    const trigger = `source change: ${revision.slice(0, 12)}`;
    await this.requestRun(trigger);
    const release = await this.pipelines.release();
    if (release !== undefined) await release.startExecution(trigger, await this.origin([], revision));
  }

  /** Compares the checked-out commit with the last one acted on, once the pipeline is deployed. */
  private async checkSource(): Promise<void> {
    if (!(await this.pipelines.isDeployed())) return;
    const started = await this.sourceTrigger.check();
    if (started !== undefined)
      logger.info({ revision: started }, 'local pipeline: source changed, pipelines started');
  }

  async addressOf(record: EnvironmentRecord): Promise<StackAddress> {
    const state = (await this.pipelines.isDeployed())
      ? await (await this.pipelines.environments()).peek()
      : undefined;
    return {
      account: record.spec.account ?? state?.definition.account ?? '111111111111',
      region: record.spec.region,
      stackName: environmentStackName(record.environmentSuffix),
    };
  }

  /** When each environment was last provisioned: its progress is read from executions since then. */
  async provisionTimes(): Promise<Record<string, string>> {
    this.provisions ??= await this.readProvisionTimes();
    return this.provisions;
  }

  /**
   * `provisions.json`. An unusable file is set aside and the times start afresh: an environment without
   * one reads as not provisioned, and the reconciler provisions it again (one more run, nothing lost).
   */
  private async readProvisionTimes(): Promise<Record<string, string>> {
    const file = path.join(this.options.dataDir, 'provisions.json');
    if (!existsSync(file)) return {};
    const read = await readJsonFile(file, provisionTimesSchema, 'provision times');
    if ('value' in read) return read.value;
    const recovery: StateRecovery = {
      file,
      reason: read.reason,
      setAside: [await setAside(file, this.clock)],
      recoveredFrom: 'nothing (provision times start afresh)',
    };
    logger.error(recovery, 'local pipeline: unusable provision times set aside');
    return {};
  }

  async rememberProvision(environmentSuffix: string): Promise<void> {
    const provisions = await this.provisionTimes();
    provisions[environmentSuffix] = this.clock().toISOString();
    await replaceJsonFile(path.join(this.options.dataDir, 'provisions.json'), provisions);
  }

  async close(): Promise<void> {
    clearInterval(this.sourcePoll);
    await this.bootstrapping?.catch(() => undefined);
    await this.pipelines.close();
    const services = await this.services?.catch(() => undefined);
    if (services !== undefined) {
      services.s3Client.destroy();
      await services.endpoints.close();
      await services.s3.close();
    }
  }
}

/** One command of the operator's first deployment, in the checkout `cwd`; fails with its last lines of output. */
function operatorCommand(cwd: string, command: string, args: readonly string[]): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    execFile(
      command,
      args,
      {
        cwd,
        timeout: 300_000,
        maxBuffer: 16 * 1024 * 1024,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? cwd,
          NODE_ENV: 'production',
          CDK_DISABLE_CLI_TELEMETRY: 'true',
        },
      },
      (error, _stdout, stderr) =>
        error === null
          ? resolve()
          : reject(
              new Error(
                `the pipeline's first deployment failed at \`${[command, ...args].join(' ')}\`: ${String(stderr).trim().split('\n').slice(-12).join('\n')}`,
              ),
            ),
    );
  });
}

/** The execution of this pipeline that is past its self-mutation: it deploys stacks a definition update would orphan. */
export function deployingExecution(state: PipelineState | undefined): string | undefined {
  return (state?.executions ?? []).find(deploying)?.executionId;
}

/** An execution past its self-mutation. */
function deploying(execution: ExecutionRun): boolean {
  if (execution.status !== 'InProgress') return false;
  const update = execution.stages.find((stage) =>
    stage.actions.some((action) => action.kind === 'self-mutate'),
  );
  return update?.status === 'Succeeded';
}

/**
 * An execution that would deploy `environmentSuffix` and can still be stopped before it does: not yet
 * deploying, and its synth exported the environment or is running (it read the registry before the
 * environment was destroyed). One whose synth has not started will skip it (`destroying`).
 */
export function wouldDeploy(execution: ExecutionRun, environmentSuffix: string): boolean {
  if (execution.status !== 'InProgress' || deploying(execution)) return false;
  const synth = execution.stages.flatMap((stage) => stage.actions).find((action) => action.kind === 'synth');
  if (synth?.status === 'InProgress') return true;
  return (
    synth?.status === 'Succeeded' &&
    (execution.build?.exported ?? []).some((entry) => entry.environmentSuffix === environmentSuffix)
  );
}

/** Who asked for an execution: `requestedBy` names them all (for people), `requesters` lists them (for rules). */
export function originRequesters(
  requesters: readonly string[],
): Pick<ExecutionOrigin, 'requestedBy' | 'requesters'> {
  const distinct = [...new Set(requesters)];
  return distinct.length === 0 ? {} : { requestedBy: distinct.join(', '), requesters: distinct };
}
