import * as client from 'openid-client';
import type { OidcConfig } from '../config';
import { errorResponse } from '../http/errors';
import { logger } from '../logger';
import type { Authenticator } from './authenticator';
import { readCookie, type SessionSigner } from './session';
import { rolesFromGroups } from './users';

const FLOW_COOKIE = 'sep_oidc';
const FLOW_TTL_SECONDS = 600;

/** How the portal reaches the IdP: the platform's `fetch` unless a test stands in for the IdP. */
export type OidcFetch = client.CustomFetch;

/** Issuer metadata, discovered once per configuration (once per process in practice). */
const discovered = new WeakMap<OidcConfig, Promise<client.Configuration>>();

function configuration(config: OidcConfig, fetchImpl?: OidcFetch): Promise<client.Configuration> {
  let found = discovered.get(config);
  if (found === undefined) {
    found = client
      .discovery(new URL(config.issuer), config.clientId, config.clientSecret, undefined, {
        // ID tokens come straight from the token endpoint over TLS, which OIDC deems enough; a bank
        // also verifies their signatures against the IdP's published keys (TLS-inspecting proxies).
        execute: [client.enableNonRepudiationChecks],
        ...(fetchImpl === undefined ? {} : { [client.customFetch]: fetchImpl }),
      })
      .then((oidc) => {
        if (fetchImpl !== undefined) oidc[client.customFetch] = fetchImpl;
        return oidc;
      })
      .catch((error: unknown) => {
        discovered.delete(config);
        throw error;
      });
    discovered.set(config, found);
  }
  return found;
}

/** Redirects to the IdP (authorization code + PKCE + state, kept in a short-lived signed cookie). */
export async function oidcLogin(options: {
  config: OidcConfig;
  signer: SessionSigner;
  fetch?: OidcFetch;
}): Promise<Response> {
  const oidc = await configuration(options.config, options.fetch);
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const url = client.buildAuthorizationUrl(oidc, {
    redirect_uri: options.config.redirectUri,
    scope: 'openid email profile',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
  });
  const flow = await options.signer.signValue({ verifier, state }, FLOW_TTL_SECONDS);
  return new Response(null, {
    status: 302,
    headers: {
      location: url.href,
      'set-cookie': `${FLOW_COOKIE}=${flow}; Path=/api/auth/oidc; HttpOnly; Secure; SameSite=Lax; Max-Age=${FLOW_TTL_SECONDS}`,
      'cache-control': 'no-store',
    },
  });
}

/** Completes the code flow; roles come from the configured group claim. */
export async function oidcCallback(options: {
  request: Request;
  config: OidcConfig;
  auth: Authenticator;
  fetch?: OidcFetch;
}): Promise<Response> {
  const flowToken = readCookie(options.request.headers.get('cookie'), FLOW_COOKIE);
  const flow = flowToken === undefined ? undefined : await options.auth.signer.verifyValue(flowToken);
  if (flow === undefined || typeof flow.verifier !== 'string' || typeof flow.state !== 'string') {
    return errorResponse('unauthenticated', 'the sign-in flow expired; start again');
  }
  try {
    const oidc = await configuration(options.config, options.fetch);
    const tokens = await client.authorizationCodeGrant(oidc, new URL(options.request.url), {
      pkceCodeVerifier: flow.verifier,
      expectedState: flow.state,
    });
    const claims = tokens.claims();
    if (claims === undefined)
      return errorResponse('unauthenticated', 'the identity provider returned no ID token');
    const roles = rolesFromGroups(claims[options.config.groupsClaim], options.config.roleGroups);
    const { id, name, email } = identityOf(claims);
    const { setCookie } = await options.auth.startSession({ id, name, roles, ...(email ? { email } : {}) });
    return new Response(null, {
      status: 303,
      headers: [
        ['location', '/'],
        ['set-cookie', setCookie],
        ['set-cookie', `${FLOW_COOKIE}=; Path=/api/auth/oidc; HttpOnly; Secure; SameSite=Lax; Max-Age=0`],
        ['cache-control', 'no-store'],
      ],
    });
  } catch (error) {
    logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'OIDC callback failed');
    return errorResponse('unauthenticated', 'sign-in with the identity provider failed');
  }
}

/**
 * Who signed in: the e-mail address when the provider says it is verified (`email_verified: true`),
 * else the provider's subject. An unverified address is never an identity: anyone could claim
 * another person's address at a provider that does not verify it.
 */
export function identityOf(claims: { readonly sub: string; readonly [claim: string]: unknown }): {
  readonly id: string;
  readonly name: string;
  readonly email?: string;
} {
  const email = typeof claims.email === 'string' && claims.email_verified === true ? claims.email : undefined;
  const id = email ?? claims.sub;
  const name = typeof claims.name === 'string' ? claims.name : id;
  return { id, name, ...(email === undefined ? {} : { email }) };
}
