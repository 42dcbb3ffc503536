import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { retainedTable } from './registry-table';

/** The calls the portal's audit store makes (record an entry; read the log newest first). */
export const AUDIT_READ_WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:Query'] as const;

export interface PortalAuditTableProps {
  /** Customer-managed key the table is encrypted with. */
  readonly encryptionKey: kms.IKey;
}

/**
 * The portal's audit log in aws mode: who requested, destroyed, approved what,
 * when (the layout `createAuditTable` builds locally: `pk` = one partition,
 * `sk` = `<timestamp>#<id>`). Retained and deletion-protected: audit history
 * must outlive any environment and any portal deployment.
 */
export class PortalAuditTable extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: PortalAuditTableProps) {
    super(scope, id);
    this.table = retainedTable(this, 'Table', {
      encryptionKey: props.encryptionKey,
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
    });
  }
}
