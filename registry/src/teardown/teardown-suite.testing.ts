// Test support for this package's teardown suites (teardown*.test.ts): the environment `pr-1`, its one
// stack, and CloudFormation walking that stack through a lifecycle. Never imported by production code.
import {
  DeleteStackCommand,
  DescribeStacksCommand,
  type Stack,
  type StackEvent,
} from '@aws-sdk/client-cloudformation';
import { localRegistryStore } from '../registry/testing';
import { mockTeardownAws, testTeardown } from './teardown.testing';
import type { EnvironmentTeardownOptions } from './teardown-types';

export const STACK_ID = 'arn:aws:cloudformation:us-east-1:111111111111:stack/sep-pr-1-environment/abc';

/** The stack of `pr-1`, complete and tagged ephemeral, with the fields and tags a test cares about given. */
export function stack(overrides: Partial<Stack> = {}, tags: Record<string, string> = {}): Stack {
  return {
    StackId: STACK_ID,
    StackName: 'sep-pr-1-environment',
    StackStatus: 'CREATE_COMPLETE',
    CreationTime: new Date('2026-11-20T00:00:00Z'),
    EnableTerminationProtection: false,
    Tags: Object.entries({ Environment: 'pr-1', EnvironmentKind: 'ephemeral', ...tags }).map(
      ([Key, Value]) => ({
        Key,
        Value,
      }),
    ),
    ...overrides,
  };
}

/** The stack-level event CloudFormation writes when a delete of the stack starts. */
export function deleteStarted(at: Date): StackEvent {
  return {
    StackId: STACK_ID,
    StackName: 'sep-pr-1-environment',
    EventId: `delete-${at.getTime()}`,
    Timestamp: at,
    LogicalResourceId: 'sep-pr-1-environment',
    ResourceType: 'AWS::CloudFormation::Stack',
    ResourceStatus: 'DELETE_IN_PROGRESS',
    ResourceStatusReason: 'User Initiated',
  };
}

/**
 * One teardown suite's world (call once, at the top of the file): AWS mocked and reset before each
 * test (`mockTeardownAws`), a registry store of its own, `setup()` for a fresh registry and the teardown
 * over it, and `stackLifecycle` to script what CloudFormation answers.
 */
export function teardownSuite(tablePrefix: string) {
  const { cfn, codePipeline } = mockTeardownAws();
  const store = localRegistryStore({ tablePrefix });

  async function setup(
    options: Pick<Partial<EnvironmentTeardownOptions>, 'maxDeleteAttempts' | 'clock' | 'stackNamesOf'> = {},
  ) {
    const { registry } = await store.freshRegistry();
    const { teardown, sleeps } = testTeardown({ registry, ...options });
    return { registry, teardown, sleeps };
  }

  /** The list call (no StackName) returns `listed`; by-ID describes walk through `statuses`. */
  function stackLifecycle(listed: Stack[], statuses: Array<Stack | 'gone'>) {
    cfn.on(DescribeStacksCommand, {}).callsFake((input: { StackName?: string }) => {
      if (input.StackName === undefined) return { Stacks: listed };
      const next = statuses.length > 1 ? statuses.shift() : statuses[0];
      if (next === 'gone' || next === undefined)
        throw new Error(`Stack with id ${input.StackName} does not exist`);
      return { Stacks: [next] };
    });
    cfn.on(DeleteStackCommand).resolves({});
  }

  return { cfn, codePipeline, setup, stackLifecycle };
}
