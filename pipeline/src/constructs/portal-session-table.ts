import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { retainedTable } from './registry-table';

/** The calls the portal's session revocation store makes (read a session or user record; write one). */
export const SESSION_READ_WRITE_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem'] as const;

export interface PortalSessionTableProps {
  /** Customer-managed key the table is encrypted with. */
  readonly encryptionKey: kms.IKey;
}

/**
 * Sessions the portal ended on the server (sign-out, a sign-in with other roles), shared by every portal
 * task behind the load balancer: a file per task would let a signed-out cookie back in on the next task
 * and forget everything when a task is replaced. The layout `createSessionTable` builds locally: `pk` =
 * `session#<id>` or `user#<id>`; a revoked session's item expires by TTL on `expiresAt`, when the
 * session would have anyway. Retained and deletion-protected like the other platform tables: losing it
 * would revive every signed-out session.
 */
export class PortalSessionTable extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: PortalSessionTableProps) {
    super(scope, id);
    this.table = retainedTable(this, 'Table', {
      encryptionKey: props.encryptionKey,
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: 'expiresAt',
    });
  }
}
