import {
  type CloudFormationClient,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  paginateDescribeStacks,
  type Stack,
  type StackStatus,
} from '@aws-sdk/client-cloudformation';
import { ENVIRONMENT_KIND_TAG, ENVIRONMENT_TAG } from '../names';

export interface EnvironmentStack {
  readonly stackId: string;
  readonly stackName: string;
  readonly status: StackStatus | 'DELETE_COMPLETE';
  readonly statusReason?: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly terminationProtection: boolean;
  readonly creationTime?: Date;
}

function toEnvironmentStack(stack: Stack): EnvironmentStack {
  return {
    stackId: stack.StackId ?? stack.StackName ?? '',
    stackName: stack.StackName ?? '',
    status: stack.StackStatus ?? 'DELETE_COMPLETE',
    ...(stack.StackStatusReason === undefined ? {} : { statusReason: stack.StackStatusReason }),
    tags: Object.fromEntries((stack.Tags ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? ''])),
    terminationProtection: stack.EnableTerminationProtection === true,
    ...(stack.CreationTime === undefined ? {} : { creationTime: stack.CreationTime }),
  };
}

/**
 * The live stacks of one environment: named `<prefix><suffix>-…` AND tagged
 * `Environment=<suffix>`. The tag check matters: the prefix `sep-pr-1-` also
 * matches the stacks of environment `pr-1-b`.
 */
export async function findEnvironmentStacks(options: {
  readonly client: CloudFormationClient;
  readonly environmentSuffix: string;
  readonly stackNamePrefix: string;
}): Promise<EnvironmentStack[]> {
  const namePrefix = `${options.stackNamePrefix}${options.environmentSuffix}-`;
  const found: EnvironmentStack[] = [];
  // DescribeStacks without a name lists every live stack (not DELETE_COMPLETE) with its tags.
  for await (const page of paginateDescribeStacks({ client: options.client }, {})) {
    for (const stack of page.Stacks ?? []) {
      const candidate = toEnvironmentStack(stack);
      if (!candidate.stackName.startsWith(namePrefix)) continue;
      if (candidate.tags[ENVIRONMENT_TAG] !== options.environmentSuffix) continue;
      found.push(candidate);
    }
  }
  // Newest first: a stack created later may depend on an earlier one.
  return found.sort((a, b) => (b.creationTime?.getTime() ?? 0) - (a.creationTime?.getTime() ?? 0));
}

/** Why a stack may not be deleted by the teardown, or undefined when it may. */
export function refusalReason(stack: EnvironmentStack): string | undefined {
  if (stack.tags[ENVIRONMENT_KIND_TAG] !== 'ephemeral') {
    return `it is not tagged ${ENVIRONMENT_KIND_TAG}=ephemeral (tag is ${JSON.stringify(stack.tags[ENVIRONMENT_KIND_TAG] ?? null)})`;
  }
  if (stack.terminationProtection) return 'it has termination protection on';
  return undefined;
}

/** The stack by its unique ID (stays describable after deletion), or undefined when it is gone. */
export async function describeStack(
  client: CloudFormationClient,
  stackId: string,
): Promise<EnvironmentStack | undefined> {
  try {
    const result = await client.send(new DescribeStacksCommand({ StackName: stackId }));
    const stack = result.Stacks?.[0];
    return stack === undefined ? undefined : toEnvironmentStack(stack);
  } catch (error) {
    // Looked up by name, a deleted stack "does not exist" (ValidationError).
    if (error instanceof Error && /does not exist/.test(error.message)) return undefined;
    throw error;
  }
}

/**
 * The live stacks of one environment by their known names: one DescribeStacks
 * per name (the single-stack describe carries tags and termination protection)
 * instead of listing every stack in the account. Newest first.
 */
export async function describeNamedStacks(
  client: CloudFormationClient,
  stackNames: readonly string[],
): Promise<EnvironmentStack[]> {
  const found: EnvironmentStack[] = [];
  for (const stackName of stackNames) {
    const stack = await describeStack(client, stackName);
    if (stack !== undefined && stack.status !== 'DELETE_COMPLETE') found.push(stack);
  }
  return found.sort((a, b) => (b.creationTime?.getTime() ?? 0) - (a.creationTime?.getTime() ?? 0));
}

/**
 * How many deletes of the stack started at or after `since` (its stack-level
 * DELETE_IN_PROGRESS events): a teardown resumed by another call, process or
 * sweep counts the attempts made before it, not only its own.
 */
export async function deleteStartsSince(
  client: CloudFormationClient,
  stackId: string,
  since: Date,
): Promise<number> {
  let starts = 0;
  let nextToken: string | undefined;
  do {
    const page = await client.send(
      new DescribeStackEventsCommand({ StackName: stackId, ...(nextToken ? { NextToken: nextToken } : {}) }),
    );
    for (const event of page.StackEvents ?? []) {
      // Newest first: everything after this is older.
      if (event.Timestamp !== undefined && event.Timestamp.getTime() < since.getTime()) return starts;
      if (
        event.ResourceType === 'AWS::CloudFormation::Stack' &&
        event.ResourceStatus === 'DELETE_IN_PROGRESS'
      )
        starts += 1;
    }
    nextToken = page.NextToken;
  } while (nextToken !== undefined);
  return starts;
}

/** The resources CloudFormation could not delete, with its reasons, for the failure message. */
export async function deleteFailures(client: CloudFormationClient, stackId: string): Promise<string[]> {
  const events = await client.send(new DescribeStackEventsCommand({ StackName: stackId }));
  const failures: string[] = [];
  for (const event of events.StackEvents ?? []) {
    // Events come newest first; stop at the start of the delete attempt.
    if (event.ResourceType === 'AWS::CloudFormation::Stack' && event.ResourceStatus === 'DELETE_IN_PROGRESS')
      break;
    if (event.ResourceStatus === 'DELETE_FAILED' && event.ResourceType !== 'AWS::CloudFormation::Stack') {
      failures.push(
        `${event.LogicalResourceId} (${event.ResourceType}): ${event.ResourceStatusReason ?? 'no reason given'}`,
      );
    }
  }
  return failures;
}
