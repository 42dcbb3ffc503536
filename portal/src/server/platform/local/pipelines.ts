import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { readPipelineAssemblies, readPipelineAssembly } from '@sep/pipeline/definition';
import type { EnvironmentRecord } from '@sep/registry';
import { type ActionWork, type ExecutionRun, LocalPipelinePlayer } from './pipeline-player';
import type { StateRecovery } from './pipeline-state-file';

/** Which pipeline of the stack does what: the one that self-mutates deploys the ephemeral environments. */
export interface PipelineRoles {
  readonly environments: string;
  /** Staging, PromoteToProd and prod (absent when the stack has one pipeline). */
  readonly release?: string;
  /** The cloud assembly the stack was first deployed from (a player whose state is unreadable starts afresh from it). */
  readonly assemblyDir?: string;
}

export interface LocalPipelinesOptions {
  /** `<data>/platform/pipeline`: `pipelines.json` and one folder per pipeline. */
  readonly dataDir: string;
  readonly speedFactor: number;
  readonly work: ActionWork;
  readonly clock: () => Date;
  readonly onChange?: () => void;
  readonly onError: (error: unknown) => void;
  /** Told when an execution of any pipeline ends. */
  readonly onExecutionEnded?: (execution: ExecutionRun) => void;
  /** Told when a pipeline's state file could not be used (see `LocalPipelinePlayerOptions`). */
  readonly onStateRecovered?: (pipelineName: string, recovery: StateRecovery) => void;
}

/**
 * The pipelines of the deployed pipeline stack, one player each. The pipeline that self-mutates
 * (the environments pipeline) deploys the whole stack when it does, so its self-mutation hands every
 * other pipeline of the stack (the release pipeline) its new definition.
 */
export class LocalPipelines {
  private roles: PipelineRoles | undefined;
  private readonly players = new Map<string, LocalPipelinePlayer>();

  constructor(private readonly options: LocalPipelinesOptions) {}

  /** The pipeline stack is deployed (its pipelines' names are known): false on a fresh data folder. */
  async isDeployed(): Promise<boolean> {
    return (await this.loadRoles()) !== undefined;
  }

  /** The first `cdk deploy` of the pipeline stack: a player per pipeline of the assembly. */
  async deploy(assemblyDir: string): Promise<void> {
    if ((await this.loadRoles()) !== undefined) return;
    const definitions = readPipelineAssemblies(assemblyDir);
    const selfMutating = definitions.find((definition) =>
      definition.stages.some((stage) => stage.actions.some((action) => action.kind === 'self-mutate')),
    );
    if (selfMutating === undefined)
      throw new Error('the synthesized pipeline stack has no self-mutating pipeline');
    const release = definitions.find((definition) => definition !== selfMutating);
    const roles: PipelineRoles = {
      environments: selfMutating.pipelineName,
      ...(release === undefined ? {} : { release: release.pipelineName }),
      assemblyDir,
    };
    for (const definition of definitions) await this.player(definition.pipelineName).bootstrap(assemblyDir);
    const file = path.join(this.options.dataDir, 'pipelines.json');
    await mkdir(this.options.dataDir, { recursive: true });
    await writeFile(`${file}.tmp`, JSON.stringify(roles));
    await rename(`${file}.tmp`, file);
    this.roles = roles;
  }

  /** The self-mutating pipeline: every registry write starts it. */
  async environments(): Promise<LocalPipelinePlayer> {
    return this.player((await this.requireRoles()).environments);
  }

  /** The pipeline that deploys an environment of this kind (staging and prod: the release pipeline). */
  async forKind(kind: EnvironmentRecord['spec']['kind']): Promise<LocalPipelinePlayer> {
    const roles = await this.requireRoles();
    return this.player(
      kind === 'ephemeral' || roles.release === undefined ? roles.environments : roles.release,
    );
  }

  /** The pipeline approvals wait in. */
  async promotions(): Promise<LocalPipelinePlayer> {
    const roles = await this.requireRoles();
    return this.player(roles.release ?? roles.environments);
  }

  async all(): Promise<LocalPipelinePlayer[]> {
    const roles = await this.loadRoles();
    if (roles === undefined) return [];
    return [roles.environments, ...(roles.release === undefined ? [] : [roles.release])].map((name) =>
      this.player(name),
    );
  }

  /** The player of the pipeline named so. */
  async byName(pipelineName: string): Promise<LocalPipelinePlayer> {
    await this.requireRoles();
    return this.player(pipelineName);
  }

  /** Every execution of every pipeline (without advancing them). */
  async executions(): Promise<ExecutionRun[]> {
    const all: ExecutionRun[] = [];
    for (const player of await this.all()) all.push(...((await player.peek())?.executions ?? []));
    return all;
  }

  async close(): Promise<void> {
    await Promise.all([...this.players.values()].map((player) => player.close()));
  }

  private player(pipelineName: string): LocalPipelinePlayer {
    let player = this.players.get(pipelineName);
    if (player === undefined) {
      player = new LocalPipelinePlayer({
        pipelineName,
        dataDir: path.join(this.options.dataDir, pipelineName),
        speedFactor: this.options.speedFactor,
        work: this.options.work,
        clock: this.options.clock,
        ...(this.options.onChange === undefined ? {} : { onChange: this.options.onChange }),
        onError: this.options.onError,
        ...(this.roles?.assemblyDir === undefined ? {} : { deployedAssemblyDir: this.roles.assemblyDir }),
        onStateRecovered: (recovery) => this.options.onStateRecovered?.(pipelineName, recovery),
        ...(this.options.onExecutionEnded === undefined
          ? {}
          : { onExecutionEnded: this.options.onExecutionEnded }),
        // Self-mutation deploys the whole pipeline stack: the other pipelines of it change too.
        onSelfMutation: (assemblyDir, by, origin) => {
          for (const [name, other] of this.players) {
            if (name === pipelineName) continue;
            other.deployDefinition(readPipelineAssembly(assemblyDir, { pipelineName: name }), by, origin);
          }
        },
      });
      this.players.set(pipelineName, player);
    }
    return player;
  }

  private async loadRoles(): Promise<PipelineRoles | undefined> {
    if (this.roles !== undefined) return this.roles;
    const file = path.join(this.options.dataDir, 'pipelines.json');
    if (!existsSync(file)) return undefined;
    this.roles = JSON.parse(await readFile(file, 'utf8')) as PipelineRoles;
    for (const name of [this.roles.environments, this.roles.release])
      if (name !== undefined) this.player(name);
    return this.roles;
  }

  private async requireRoles(): Promise<PipelineRoles> {
    const roles = await this.loadRoles();
    if (roles === undefined) throw new Error('the local pipeline stack is not deployed yet');
    return roles;
  }
}
