import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

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
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: 'environmentSuffix', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.encryptionKey,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
