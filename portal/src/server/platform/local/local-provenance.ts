import type { EnvironmentProvenance, EnvironmentTarget, IdentityGap, ProvenanceService } from '../port';
import type { LocalDelivery } from './local-delivery';
import type { LocalPipelines } from './pipelines';
import { CorruptStackStateError, type LocalStackRecord } from './stack-model';

/** What the local platform cannot have: there is no CloudTrail on this machine. */
const NO_TRAIL =
  'local mode: no CloudTrail trail records the played stacks (aws mode reads the account-security stack output)';

/**
 * An environment's provenance on this machine: the played stack's deployed template (the file under
 * `templates/`, named by its SHA-256), when the operation that deployed it finished, and the played
 * execution whose deploy action started that operation (its CloudFormation client request token) with
 * the source revision that execution deployed.
 */
export class LocalProvenance implements ProvenanceService {
  constructor(
    private readonly delivery: Pick<LocalDelivery, 'stacks' | 'addressOf'> & {
      readonly pipelines: Pick<LocalPipelines, 'all'>;
    },
  ) {}

  async provenance({ record }: EnvironmentTarget): Promise<EnvironmentProvenance> {
    const gaps: IdentityGap[] = [{ field: 'cloudTrailTrailArn', reason: NO_TRAIL }];
    const address = await this.delivery.addressOf(record);
    let stack: LocalStackRecord | undefined;
    try {
      stack = await this.delivery.stacks.get(address);
    } catch (error) {
      if (!(error instanceof CorruptStackStateError)) throw error;
      return { stacks: [], gaps: [...gaps, ...stackGaps(error.message)] };
    }
    const operation = stack === undefined ? undefined : this.delivery.stacks.deployedOperation(stack);
    if (stack === undefined || operation?.templateHash === undefined) {
      const reason = `stack ${address.stackName} has no deployed template on this machine (not deployed, rolled back or deleted)`;
      return { stacks: [], gaps: [...gaps, ...stackGaps(reason), ...executionGaps(reason)] };
    }
    const template = await this.delivery.stacks.template(operation.templateHash);
    const resourceTypes: Record<string, number> = {};
    for (const resource of Object.values(template.Resources ?? {})) {
      resourceTypes[resource.Type] = (resourceTypes[resource.Type] ?? 0) + 1;
    }
    const { rollout } = operation;
    const deployedAt = new Date(Date.parse(rollout.startedAt) + rollout.endMs).toISOString();
    const origin = await this.execution(operation.clientRequestToken);
    if (origin.pipelineExecutionId === undefined) {
      gaps.push(
        ...executionGaps(
          `no played execution started the operation that deployed ${address.stackName} (executions are kept bounded; an older one is forgotten)`,
        ),
      );
    } else if (origin.sourceRevision === undefined) {
      gaps.push({
        field: 'sourceRevision',
        reason: `execution ${origin.pipelineExecutionId} of ${origin.pipelineName ?? 'the pipeline'} names no source revision (the source folder is not a git checkout)`,
      });
    }
    return {
      stacks: [
        {
          stackName: address.stackName,
          stackId: stack.stackId,
          // The file is named by the SHA-256 of the template text the action deployed.
          templateSha256: operation.templateHash,
          lastDeployedAt: deployedAt,
          resourceTypes,
        },
      ],
      ...origin,
      gaps,
    };
  }

  /** The played execution whose deploy action sent `token` (`<executionId>-<action name>`). */
  private async execution(
    token: string | undefined,
  ): Promise<Pick<EnvironmentProvenance, 'pipelineName' | 'pipelineExecutionId' | 'sourceRevision'>> {
    if (token === undefined) return {};
    for (const player of await this.delivery.pipelines.all()) {
      const state = await player.peek();
      const execution = state?.executions.find((candidate) => token.startsWith(`${candidate.executionId}-`));
      if (execution === undefined || state === undefined) continue;
      return {
        pipelineName: state.definition.pipelineName,
        pipelineExecutionId: execution.executionId,
        ...(execution.sourceRevision === undefined ? {} : { sourceRevision: execution.sourceRevision }),
      };
    }
    return {};
  }
}

function stackGaps(reason: string): IdentityGap[] {
  return [
    { field: 'templateHashes', reason },
    { field: 'lastDeployedAt', reason },
  ];
}

function executionGaps(reason: string): IdentityGap[] {
  return [
    { field: 'pipelineExecutionId', reason },
    { field: 'sourceRevision', reason },
  ];
}
