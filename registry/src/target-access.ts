// Clients for the accounts and regions environments live in. CloudFormation and AWS Config have no
// resource policies, so the portal and the TTL sweeper (pipeline account) read and delete nothing in
// another account with their own credentials: they assume the platform-access role the
// account-security stack created in each target account and region, and call its region.
// CDK-free (`@sep/registry/target-access`).
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { platformAccessRoleArn, type TargetLocation } from '@sep/spec';
import type { AwsCredentialIdentityProvider } from '@smithy/types';

/** What every client of a target is built with. */
export interface TargetClientConfig {
  readonly region: string;
  readonly credentials: AwsCredentialIdentityProvider;
  readonly retryMode: 'adaptive' | 'standard';
  readonly maxAttempts: number;
}

/** An SDK v3 client class (CloudFormationClient, ConfigServiceClient, …). */
export type TargetClientClass<T> = new (config: TargetClientConfig) => T;

export interface TargetAccessOptions {
  /** The account of environments whose spec names none: the pipeline's. */
  readonly defaultAccount: string;
  /** Role session name, what CloudTrail in the target account records (e.g. `sep-portal`). */
  readonly sessionName: string;
  /** @default 'aws' */
  readonly partition?: string;
  /** Region of the STS endpoint that issues the sessions. @default the SDK's (AWS_REGION) */
  readonly stsRegion?: string;
  /** The caller's own credentials, exchanged for the target role's. @default the SDK's default chain */
  readonly masterCredentials?: AwsCredentialIdentityProvider;
  /** @default 3600 (STS' default; the role's maximum session is one hour) */
  readonly sessionSeconds?: number;
  /** @default { retryMode: 'adaptive', maxAttempts: 6 } */
  readonly retry?: { readonly retryMode: 'adaptive' | 'standard'; readonly maxAttempts: number };
  /** The role assumed in a target. @default the platform-access role (`platformAccessRoleArn`) */
  readonly roleArnOf?: (target: TargetLocation) => string;
}

/** Where an environment lives: its spec's account (or the default) and region. */
export interface TargetOf {
  readonly account?: string;
  readonly region: string;
}

/**
 * One client per client class, account and region, each signing with a session of the target's role.
 * The credentials are the SDK's own: `fromTemporaryCredentials` (STS AssumeRole), which the client
 * memoizes and refreshes five minutes before the session expires; this class only keeps the clients,
 * so each target's session is reused across calls instead of assumed per request.
 */
export class TargetAccess {
  private readonly clients = new Map<TargetClientClass<unknown>, Map<string, unknown>>();

  constructor(private readonly options: TargetAccessOptions) {}

  /** The target's account and region (the default account filled in). */
  locate(target: TargetOf): TargetLocation {
    return {
      account: target.account ?? this.options.defaultAccount,
      region: target.region,
      ...(this.options.partition === undefined ? {} : { partition: this.options.partition }),
    };
  }

  /** The role a target's clients assume. */
  roleArn(target: TargetOf): string {
    const location = this.locate(target);
    return (this.options.roleArnOf ?? platformAccessRoleArn)(location);
  }

  /** The client of this class for the target's account and region, built on first use. */
  client<T>(Client: TargetClientClass<T>, target: TargetOf): T {
    const location = this.locate(target);
    const key = `${location.account}/${location.region}`;
    let byTarget = this.clients.get(Client);
    if (byTarget === undefined) {
      byTarget = new Map();
      this.clients.set(Client, byTarget);
    }
    const existing = byTarget.get(key);
    if (existing !== undefined) return existing as T;
    const retry = this.options.retry ?? { retryMode: 'adaptive', maxAttempts: 6 };
    const client = new Client({
      region: location.region,
      credentials: fromTemporaryCredentials({
        params: {
          RoleArn: this.roleArn(location),
          RoleSessionName: this.options.sessionName,
          DurationSeconds: this.options.sessionSeconds ?? 3600,
        },
        ...(this.options.masterCredentials === undefined
          ? {}
          : { masterCredentials: this.options.masterCredentials }),
        ...(this.options.stsRegion === undefined ? {} : { clientConfig: { region: this.options.stsRegion } }),
      }),
      ...retry,
    });
    byTarget.set(key, client);
    return client;
  }

  /** Closes every client's connections. */
  destroy(): void {
    for (const byTarget of this.clients.values()) {
      for (const client of byTarget.values()) (client as { destroy?: () => void }).destroy?.();
    }
    this.clients.clear();
  }
}
