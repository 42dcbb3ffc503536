import { type DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { createTableIfAbsent } from '@sep/registry';
import { z } from 'zod';

/**
 * The TTL attribute of the session table (epoch seconds): DynamoDB drops an item once it is past. The
 * pipeline stack's `PortalSessionTable` declares the same layout and grants the calls made here
 * (GetItem, PutItem).
 */
const SESSION_TABLE_TTL_ATTRIBUTE = 'expiresAt';

const userItemSchema = z.object({
  /** Absent for a user with no role: DynamoDB has no empty string set. */
  roles: z.object({ SS: z.array(z.string()) }).optional(),
  notBefore: z.object({ N: z.string().regex(/^\d+$/) }),
});

export interface RevocableSession {
  readonly userId: string;
  readonly sessionId?: string;
  readonly issuedAt: Date;
}

/**
 * Server-side end of sessions: a signed cookie stays valid until it expires unless the server says
 * otherwise. A signed-out session is revoked by its id; a user whose roles changed at sign-in loses every
 * earlier session (their roles are frozen in them).
 *
 * Kept in a DynamoDB table shared by every portal task (aws mode runs two or more behind the load
 * balancer: a sign-out on one must end the session on all, and survive a task's replacement), and in
 * the embedded store locally: `pk` = `session#<id>` (revoked, with its expiry as TTL) or `user#<id>`
 * (roles of the latest sign-in, and the time before which their sessions are void).
 */
export class SessionRevocations {
  constructor(
    private readonly options: {
      readonly client: DynamoDBClient;
      readonly tableName: string;
      /** Told of each read of an unreadable user item, which then counts as revoking (fails closed). */
      readonly onDamagedItem?: (key: string) => void;
    },
  ) {}

  /** Whether a session (its id and issue time) was ended on the server. */
  async isRevoked(session: RevocableSession): Promise<boolean> {
    const [revoked, user] = await Promise.all([
      session.sessionId === undefined ? undefined : this.item(`session#${session.sessionId}`),
      this.item(`user#${session.userId}`),
    ]);
    if (revoked !== undefined) return true;
    if (user === undefined) return false;
    const parsed = userItemSchema.safeParse(user);
    if (!parsed.success) {
      // A damaged record must not let revoked sessions back in.
      this.options.onDamagedItem?.(`user#${session.userId}`);
      return true;
    }
    return session.issuedAt.getTime() < Number(parsed.data.notBefore.N);
  }

  /** Ends one session (sign-out) on every portal task, until it would have expired anyway. */
  async revoke(sessionId: string, expiresAt: Date): Promise<void> {
    await this.options.client.send(
      new PutItemCommand({
        TableName: this.options.tableName,
        Item: {
          pk: { S: `session#${sessionId}` },
          [SESSION_TABLE_TTL_ATTRIBUTE]: { N: String(Math.ceil(expiresAt.getTime() / 1000)) },
        },
      }),
    );
  }

  /**
   * A sign-in with `roles`: when they differ from the user's previous sign-in, every earlier session of
   * theirs ends (sessions issued before `issuedAt` are void).
   */
  async signedIn(userId: string, roles: readonly string[], issuedAt: Date): Promise<void> {
    const sorted = [...new Set(roles)].sort();
    const stored = await this.item(`user#${userId}`);
    const previous = userItemSchema.safeParse(stored);
    // A damaged record is replaced as if the roles changed: earlier sessions end (fails closed).
    if (previous.success && [...(previous.data.roles?.SS ?? [])].sort().join('+') === sorted.join('+'))
      return;
    const first = stored === undefined;
    await this.options.client.send(
      new PutItemCommand({
        TableName: this.options.tableName,
        Item: {
          pk: { S: `user#${userId}` },
          ...(sorted.length === 0 ? {} : { roles: { SS: sorted } }),
          // The first sign-in voids nothing; JWT times are whole seconds.
          notBefore: { N: String(first ? 0 : Math.floor(issuedAt.getTime() / 1000) * 1000) },
        },
      }),
    );
  }

  private async item(pk: string) {
    const { Item } = await this.options.client.send(
      new GetItemCommand({ TableName: this.options.tableName, Key: { pk: { S: pk } }, ConsistentRead: true }),
    );
    return Item;
  }
}

/**
 * Creates the session table with the key layout the pipeline stack deploys (local mode and tests; in AWS
 * the pipeline stack owns it, with TTL on `expiresAt`). Idempotent.
 */
export async function createSessionTable(options: {
  readonly client: DynamoDBClient;
  readonly tableName: string;
}): Promise<void> {
  await createTableIfAbsent({ ...options, partitionKey: 'pk' });
}
