import { RemovalPolicy } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

export interface EncryptedLogGroupProps {
  /** The log group's name (from the physical-name table of `@sep/spec`, or the pipeline's prefix). */
  readonly logGroupName: string;
  /**
   * The customer-managed key the logs are encrypted with. Required: no log group of the product is
   * encrypted with the service's key only. Its policy must let CloudWatch Logs use it for this log group
   * (CLOUDWATCH_LOGS_KEY_ACTIONS, scoped by the log group's ARN).
   */
  readonly encryptionKey: kms.IKey;
  /** How long events are kept; every caller states it (the kind policy or the pipeline's choice). */
  readonly retention: logs.RetentionDays;
  /** @default RemovalPolicy.RETAIN (logs are evidence) */
  readonly removalPolicy?: RemovalPolicy;
}

/** The one way the product creates a log group: named, KMS-encrypted, retention stated, retained by default. */
export function encryptedLogGroup(
  scope: Construct,
  id: string,
  props: EncryptedLogGroupProps,
): logs.LogGroup {
  return new logs.LogGroup(scope, id, {
    logGroupName: props.logGroupName,
    encryptionKey: props.encryptionKey,
    retention: props.retention,
    removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
  });
}
