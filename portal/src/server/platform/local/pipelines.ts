import { existsSync } from 'node:fs';
import path from 'node:path';
import { readPipelineAssemblies, readPipelineAssembly } from '@sep/pipeline/definition';
import type { EnvironmentRecord } from '@sep/registry';
import { z } from 'zod';
import { readJsonFile, replaceJsonFile, setAside } from './json-file';
import { LocalPipelinePlayer } from './pipeline-player';
import type { ActionWork, ExecutionRun } from './pipeline-run';
import type { StateRecovery } from './pipeline-state-file';

/** Which pipeline of the stack does what: the one that self-mutates deploys the ephemeral environments. */
const pipelineRolesSchema = z.object({
  environments: z.string().min(1),
  /** Staging, PromoteToProd and prod (absent when the stack has one pipeline). */
  release: z.string().min(1).optional(),
  /** The cloud assembly the stack was first deployed from (a player whose state is unreadable starts afresh from it). */
  assemblyDir: z.string().min(1).optional(),
});
export type PipelineRoles = Readonly<z.output<typeof pipelineRolesSchema>>;

/** Where `LocalDelivery.bootstrap` puts the operator's first synth of the pipeline stack. */
export function bootstrapAssemblyDir(pipelineDataDir: string): string {
  return path.join(pipelineDataDir, 'bootstrap', 'cdk.out');
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
  /**
   * Told when a pipeline's state file could not be used (see `LocalPipelinePlayerOptions`), or the
   * stack's `pipelines.json` (then `pipelineName` is `pipelines.json`).
   */
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
    const roles = rolesOf(assemblyDir);
    for (const name of [roles.environments, roles.release])
      if (name !== undefined) await this.player(name).bootstrap(assemblyDir);
    await replaceJsonFile(this.rolesFile, roles);
    this.roles = roles;
  }

  /** The self-mutating pipeline: every registry write starts it. */
  async environments(): Promise<LocalPipelinePlayer> {
    return this.player((await this.requireRoles()).environments);
  }

  /** The release pipeline (staging and prod), when the deployed stack has one. */
  async release(): Promise<LocalPipelinePlayer | undefined> {
    const { release } = await this.requireRoles();
    return release === undefined ? undefined : this.player(release);
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

  private get rolesFile(): string {
    return path.join(this.options.dataDir, 'pipelines.json');
  }

  /**
   * The roles as deployed. An unusable `pipelines.json` is set aside and the roles are read again from
   * the stack's first assembly, which they were derived from (the pipelines' own state is untouched);
   * without that assembly the stack counts as not deployed, and the next bootstrap deploys it afresh.
   */
  private async loadRoles(): Promise<PipelineRoles | undefined> {
    if (this.roles !== undefined) return this.roles;
    const file = this.rolesFile;
    if (!existsSync(file)) return undefined;
    const read = await readJsonFile(file, pipelineRolesSchema, "the pipeline stack's pipelines");
    let roles: PipelineRoles | undefined;
    if ('value' in read) roles = read.value;
    else {
      const aside = await setAside(file, this.options.clock);
      const assemblyDir = bootstrapAssemblyDir(this.options.dataDir);
      roles = existsSync(path.join(assemblyDir, 'manifest.json')) ? rolesOf(assemblyDir) : undefined;
      if (roles !== undefined) await replaceJsonFile(file, roles);
      this.options.onStateRecovered?.('pipelines.json', {
        file,
        reason: read.reason,
        setAside: [aside],
        recoveredFrom: roles === undefined ? 'nothing (not deployed yet)' : "the stack's first assembly",
      });
    }
    if (roles === undefined) return undefined;
    this.roles = roles;
    for (const name of [roles.environments, roles.release]) if (name !== undefined) this.player(name);
    return roles;
  }

  private async requireRoles(): Promise<PipelineRoles> {
    const roles = await this.loadRoles();
    if (roles === undefined) throw new Error('the local pipeline stack is not deployed yet');
    return roles;
  }
}

/** The roles of the pipelines a synthesized pipeline stack holds. */
function rolesOf(assemblyDir: string): PipelineRoles {
  const definitions = readPipelineAssemblies(assemblyDir);
  const selfMutating = definitions.find((definition) =>
    definition.stages.some((stage) => stage.actions.some((action) => action.kind === 'self-mutate')),
  );
  if (selfMutating === undefined)
    throw new Error('the synthesized pipeline stack has no self-mutating pipeline');
  const release = definitions.find((definition) => definition !== selfMutating);
  return {
    environments: selfMutating.pipelineName,
    ...(release === undefined ? {} : { release: release.pipelineName }),
    assemblyDir,
  };
}
