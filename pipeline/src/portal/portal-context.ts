import { REGION_AVAILABILITY_ZONES } from '@sep/spec';
import { z } from 'zod';

/**
 * Context keys (cdk.json or `-c key=value`) of the portal's hosting. All optional for the schema: with
 * none set the platform has no portal stage (local mode, or a portal run elsewhere); once one is set,
 * `portalHostingFrom` requires the rest and checks them against the pipeline's account and region.
 */
export const portalContextShape = {
  /** The portal's host name (the certificate must cover it; a DNS record points it at the load balancer). */
  portalDomainName: z
    .string()
    .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, {
      error: 'portalDomainName must be a lower-case DNS host name such as portal.example.com',
    })
    .optional(),
  /** ACM certificate for the domain, in the pipeline's account and region (the load balancer's). */
  portalCertificateArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[\w-]+$/, {
      error: 'portalCertificateArn must be an ACM certificate ARN',
    })
    .optional(),
  /** The OpenID Connect issuer engineers sign in with (HTTPS). */
  portalOidcIssuer: z
    .url({ protocol: /^https$/, error: 'portalOidcIssuer must be an https:// issuer URL' })
    .optional(),
  portalOidcClientId: z.string().min(1, { error: 'portalOidcClientId must not be empty' }).optional(),
  /** Secrets Manager secret holding the session signing secret (at least 32 characters). */
  portalSessionSecretArn: z.string().optional(),
  /** Secrets Manager secret holding the OIDC client secret. */
  portalOidcClientSecretArn: z.string().optional(),
  /** Secrets Manager secret holding the API token hashes (`name:role+role:sha256hex,…`). @default none */
  portalApiTokensSecretArn: z.string().optional(),
  /** The customer-managed KMS key the portal's secrets are encrypted with. */
  portalSecretsKeyArn: z.string().optional(),
};

export const PORTAL_CONTEXT_KEYS = Object.keys(portalContextShape) as (keyof typeof portalContextShape)[];

type PortalContext = { readonly [K in keyof typeof portalContextShape]?: string };

/** The portal hosting configuration, validated. */
export interface PortalHostingConfig {
  readonly domainName: string;
  readonly certificateArn: string;
  readonly oidcIssuer: string;
  readonly oidcClientId: string;
  readonly sessionSecretArn: string;
  readonly oidcClientSecretArn: string;
  readonly apiTokensSecretArn?: string;
  readonly secretsKeyArn: string;
}

const REQUIRED = [
  'portalDomainName',
  'portalCertificateArn',
  'portalOidcIssuer',
  'portalOidcClientId',
  'portalSessionSecretArn',
  'portalOidcClientSecretArn',
  'portalSecretsKeyArn',
] as const;

/** `<service>` ARN in this account and region, or why not. */
function sameEnvironmentArn(
  value: string,
  service: 'secretsmanager' | 'kms' | 'acm',
  resource: RegExp,
  where: { readonly account: string; readonly region: string },
): string | undefined {
  const match = /^arn:aws[a-z-]*:([a-z]+):([a-z0-9-]+):(\d{12}):(.+)$/.exec(value);
  if (match === null || match[1] !== service || !resource.test(match[4] ?? ''))
    return `must be a ${{ secretsmanager: 'Secrets Manager secret', kms: 'KMS key', acm: 'ACM certificate' }[service]} ARN`;
  if (match[2] !== where.region || match[3] !== where.account)
    return `must be in the pipeline's account and region (${where.account}/${where.region}), not ${match[3]}/${match[2]}`;
  return undefined;
}

/**
 * The hosting configuration from the parsed context: undefined when no portal key is set, otherwise
 * every problem as one `key: message` line (missing keys, ARNs of another account or region, a region
 * whose zones are not known).
 */
export function portalHostingFrom(
  context: PortalContext,
  where: { readonly account: string; readonly region: string },
): { readonly hosting?: PortalHostingConfig; readonly problems: readonly string[] } {
  if (PORTAL_CONTEXT_KEYS.every((key) => context[key] === undefined)) return { problems: [] };
  const problems: string[] = [];
  for (const key of REQUIRED) {
    if (context[key] === undefined)
      problems.push(`${key}: required once any portal hosting key is set (the portal stage needs it)`);
  }
  const checks: [keyof PortalContext, 'secretsmanager' | 'kms' | 'acm', RegExp][] = [
    ['portalCertificateArn', 'acm', /^certificate\/[\w-]+$/],
    ['portalSessionSecretArn', 'secretsmanager', /^secret:[\w/+=.@-]+$/],
    ['portalOidcClientSecretArn', 'secretsmanager', /^secret:[\w/+=.@-]+$/],
    ['portalApiTokensSecretArn', 'secretsmanager', /^secret:[\w/+=.@-]+$/],
    ['portalSecretsKeyArn', 'kms', /^key\/[\w-]+$/],
  ];
  for (const [key, service, resource] of checks) {
    const value = context[key];
    if (value === undefined) continue;
    const problem = sameEnvironmentArn(value, service, resource, where);
    if (problem !== undefined) problems.push(`${key}: ${problem}`);
  }
  if (!(where.region in REGION_AVAILABILITY_ZONES))
    problems.push(
      `pipelineRegion: the portal is hosted in the pipeline's region, and ${where.region} is not one whose zones are known (${Object.keys(REGION_AVAILABILITY_ZONES).join(', ')})`,
    );
  if (problems.length > 0) return { problems };
  const c = context as Required<PortalContext>;
  return {
    problems,
    hosting: {
      domainName: c.portalDomainName,
      certificateArn: c.portalCertificateArn,
      oidcIssuer: c.portalOidcIssuer,
      oidcClientId: c.portalOidcClientId,
      sessionSecretArn: c.portalSessionSecretArn,
      oidcClientSecretArn: c.portalOidcClientSecretArn,
      ...(context.portalApiTokensSecretArn === undefined
        ? {}
        : { apiTokensSecretArn: context.portalApiTokensSecretArn }),
      secretsKeyArn: c.portalSecretsKeyArn,
    },
  };
}
