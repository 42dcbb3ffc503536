// Test support (`@sep/registry/target-access/testing`) for the suites that drive environments in several
// accounts and regions through `TargetAccess`: never imported by production code.
import { AssumeRoleCommand, STSClient } from '@aws-sdk/nested-clients/sts';
import { physicalName } from '@sep/spec';
import { mockClient } from 'aws-sdk-client-mock';

/** Who a client acts as: the account of the role its credentials came from, and the client's region. */
export interface ClientIdentity {
  /** The account whose role was assumed (`pipeline` for the caller's own credentials). */
  readonly account: string;
  /** The region of the role assumed (account-security roles are per region). */
  readonly roleRegion?: string;
  /** The region the client calls. */
  readonly region: string;
  /** The role session name CloudTrail would record. */
  readonly sessionName?: string;
}

const ROLE = /^arn:aws:iam::(\d{12}):role\/(.+)$/;

/**
 * STS for the tests: AssumeRole answers, for the platform-access or smoke-test role of any account and
 * region, a session whose access key names that role (`ASIA:<account>:<region>:<session>`), so a fake
 * AWS can tell which account a signed call acts in. `assumed` lists the role ARNs asked for.
 */
export function mockTargetSts() {
  const sts = mockClient(STSClient);
  const assumed: string[] = [];
  const respond = () =>
    sts.on(AssumeRoleCommand).callsFake((input: { RoleArn: string; RoleSessionName: string }) => {
      assumed.push(input.RoleArn);
      const match = ROLE.exec(input.RoleArn);
      const account = match?.[1];
      const regionOfRole = /^sep-account-([a-z0-9-]+)-(platform|smoke)$/.exec(match?.[2] ?? '')?.[1];
      if (account === undefined || regionOfRole === undefined)
        throw new Error(`AccessDenied: ${input.RoleArn}`);
      return {
        Credentials: {
          AccessKeyId: `ASIA:${account}:${regionOfRole}:${input.RoleSessionName}`,
          SecretAccessKey: 'secret',
          SessionToken: 'token',
          Expiration: new Date(Date.now() + 3_600_000),
        },
      };
    });
  respond();
  return {
    sts,
    assumed,
    reset() {
      sts.reset();
      assumed.length = 0;
      respond();
    },
  };
}

/** What a client built by `TargetAccess` acts as (resolves its credentials, assuming the role). */
export async function identityOf(client: {
  readonly config: { region: () => Promise<string>; credentials: () => Promise<{ accessKeyId: string }> };
}): Promise<ClientIdentity> {
  const region = await client.config.region();
  const { accessKeyId } = await client.config.credentials();
  const [, account, roleRegion, sessionName] = accessKeyId.split(':');
  if (account === undefined || roleRegion === undefined) return { account: 'pipeline', region };
  return { account, roleRegion, region, ...(sessionName === undefined ? {} : { sessionName }) };
}

/** The platform-access role's name in a region (as the account-security stack names it). */
export function platformAccessRoleName(region: string): string {
  return physicalName('accountPlatformAccessRole', { suffix: '', region });
}
