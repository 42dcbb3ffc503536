import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/**
 * A table the platform keeps whatever happens to the stack: encrypted with a
 * customer-managed key, point-in-time recovery, deletion-protected, retained,
 * on demand. The registry, the portal's audit log and its session table are of this kind.
 */
export function retainedTable(
  scope: Construct,
  id: string,
  props: {
    readonly encryptionKey: kms.IKey;
    readonly partitionKey: dynamodb.Attribute;
    readonly sortKey?: dynamodb.Attribute;
    /** Items expire once this attribute (epoch seconds) is past. @default no expiry */
    readonly timeToLiveAttribute?: string;
  },
): dynamodb.Table {
  return new dynamodb.Table(scope, id, {
    partitionKey: props.partitionKey,
    ...(props.sortKey === undefined ? {} : { sortKey: props.sortKey }),
    ...(props.timeToLiveAttribute === undefined ? {} : { timeToLiveAttribute: props.timeToLiveAttribute }),
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
    encryptionKey: props.encryptionKey,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    deletionProtection: true,
    removalPolicy: RemovalPolicy.RETAIN,
  });
}

export interface RegistryTableProps {
  /** Customer-managed key the table is encrypted with. */
  readonly encryptionKey: kms.IKey;
}

/**
 * The environment registry: one item per environment, keyed by
 * `environmentSuffix` (the layout `createRegistryTable` builds locally).
 * Retained and deletion-protected: it is the source of truth of what exists.
 */
export class RegistryTable extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: RegistryTableProps) {
    super(scope, id);
    this.table = retainedTable(this, 'Table', {
      encryptionKey: props.encryptionKey,
      partitionKey: { name: 'environmentSuffix', type: dynamodb.AttributeType.STRING },
    });
  }
}
