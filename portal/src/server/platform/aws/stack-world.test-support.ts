import {
  type CloudFormationClient,
  CloudFormationServiceException,
  DeleteStackCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  GetTemplateCommand,
  ListStackResourcesCommand,
  type StackEvent,
  type StackStatus,
} from '@aws-sdk/client-cloudformation';
import type { AwsClientStub } from 'aws-sdk-client-mock';

export interface StackWorldOptions {
  readonly suffix: string;
  /** @default no stack yet */
  readonly status?: StackStatus;
  /** @default Environment=<suffix>, EnvironmentKind=ephemeral */
  readonly tags?: Readonly<Record<string, string>>;
  readonly terminationProtection?: boolean;
}

/** One environment stack as CloudFormation would answer for it, behind `aws-sdk-client-mock`. */
export interface StackWorld {
  readonly stackName: string;
  readonly stackId: string;
  /** What CloudFormation reports next (the pipeline deployed it, a delete failed…). */
  set(status: StackStatus, reason?: string): void;
  /** CloudFormation finished deleting: by name the stack no longer exists. */
  finishDelete(): void;
  /** The next `count` DescribeStacks calls are throttled. */
  throttle(count: number): void;
  /** `StackName` of every DeleteStack call. */
  readonly deletes: string[];
}

export function stackWorld(cfn: AwsClientStub<CloudFormationClient>, options: StackWorldOptions): StackWorld {
  const stackName = `sep-${options.suffix}-environment`;
  const stackId = `arn:aws:cloudformation:us-east-1:111111111111:stack/${stackName}/0f1e2d3c-aaaa-bbbb-cccc-123456789012`;
  const tags = options.tags ?? { Environment: options.suffix, EnvironmentKind: 'ephemeral' };
  let status: StackStatus | 'absent' | 'gone' = options.status ?? 'absent';
  let statusReason: string | undefined;
  let throttled = 0;
  const deletes: string[] = [];
  const events: StackEvent[] = [];
  const event = (logicalId: string, type: string, resourceStatus: string, reason?: string): StackEvent => ({
    EventId: `${logicalId}-${resourceStatus}-${events.length}`,
    StackId: stackId,
    StackName: stackName,
    LogicalResourceId: logicalId,
    ResourceType: type,
    ResourceStatus: resourceStatus as StackEvent['ResourceStatus'],
    Timestamp: new Date(),
    ...(reason === undefined ? {} : { ResourceStatusReason: reason }),
  });
  const missing = (name: string) =>
    new CloudFormationServiceException({
      name: 'ValidationError',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
      message: `Stack with id ${name} does not exist`,
    });

  cfn.on(DescribeStacksCommand).callsFake((input: { StackName?: string }) => {
    if (throttled > 0) {
      throttled -= 1;
      throw new CloudFormationServiceException({
        name: 'Throttling',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
        message: 'Rate exceeded',
      });
    }
    if (input.StackName === undefined) throw new Error('this test expects no listing of every stack');
    const byId = input.StackName === stackId;
    if (!byId && input.StackName !== stackName) throw missing(input.StackName);
    if (status === 'absent') throw missing(input.StackName);
    // A deleted stack is gone by name; by its ID CloudFormation still answers, DELETE_COMPLETE.
    if (status === 'gone' && !byId) throw missing(input.StackName);
    return {
      Stacks: [
        {
          StackName: stackName,
          StackId: stackId,
          StackStatus: status === 'gone' ? 'DELETE_COMPLETE' : status,
          ...(statusReason === undefined ? {} : { StackStatusReason: statusReason }),
          CreationTime: new Date('2026-03-01T10:00:00.000Z'),
          EnableTerminationProtection: options.terminationProtection === true,
          Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
        },
      ],
    };
  });
  cfn.on(DeleteStackCommand).callsFake((input: { StackName: string }) => {
    deletes.push(input.StackName);
    if (status !== 'DELETE_IN_PROGRESS') {
      status = 'DELETE_IN_PROGRESS';
      statusReason = undefined;
      events.unshift(event(stackName, 'AWS::CloudFormation::Stack', 'DELETE_IN_PROGRESS', 'User Initiated'));
    }
    return {};
  });
  cfn.on(DescribeStackEventsCommand).callsFake(() => ({ StackEvents: [...events] }));
  cfn.on(ListStackResourcesCommand).resolves({ StackResourceSummaries: [] });
  cfn.on(GetTemplateCommand).resolves({ TemplateBody: JSON.stringify({ Resources: { DataBucket: {} } }) });

  return {
    stackName,
    stackId,
    deletes,
    set(next, reason) {
      status = next;
      statusReason = reason;
      if (next === 'DELETE_FAILED') {
        events.unshift(
          event(stackName, 'AWS::CloudFormation::Stack', 'DELETE_FAILED', reason),
          event(
            'DataBucket',
            'AWS::S3::Bucket',
            'DELETE_FAILED',
            'The bucket you tried to delete is not empty',
          ),
        );
      }
    },
    finishDelete() {
      status = 'gone';
      events.unshift(event(stackName, 'AWS::CloudFormation::Stack', 'DELETE_COMPLETE'));
    },
    throttle(count) {
      throttled = count;
    },
  };
}
