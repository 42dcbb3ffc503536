import type { Principal } from '../auth/authenticator';
import { isAllowedHost, strictTransportSecurity } from '../auth/same-origin';
import { mayUsePortal } from '../domain/permissions';
import { type PortalRuntime, runtime } from '../runtime';
import { errorResponse, toErrorResponse } from './errors';

export interface HandlerContext {
  readonly request: Request;
  readonly principal: Principal;
  readonly runtime: PortalRuntime;
}

/**
 * Route handlers' shared prologue: the runtime, the Host allow-list (421), the caller (401 without one,
 * 403 without a portal role), errors as `ApiError`, HSTS over TLS.
 */
export async function authenticated(
  request: Request,
  handle: (context: HandlerContext) => Promise<Response>,
): Promise<Response> {
  return served(request, async (rt) => {
    const principal = await rt.auth.principal(request);
    if (principal === undefined) return errorResponse('unauthenticated', 'sign in or send a bearer token');
    const use = mayUsePortal(principal.user);
    if (!use.allowed) return errorResponse('forbidden', use.reason);
    return handle({ request, principal, runtime: rt });
  });
}

/** For public routes (sign-in, sign-out, OpenAPI): runtime, Host allow-list, error mapping, no caller required. */
export async function open(
  request: Request,
  handle: (runtime: PortalRuntime) => Promise<Response>,
): Promise<Response> {
  return served(request, handle);
}

async function served(
  request: Request,
  handle: (runtime: PortalRuntime) => Promise<Response>,
): Promise<Response> {
  let response: Response;
  try {
    const rt = await runtime();
    response = isAllowedHost(request, rt.config.allowedHosts)
      ? await handle(rt)
      : errorResponse('misdirected_request', 'this host is not one the portal serves');
  } catch (error) {
    response = toErrorResponse(error);
  }
  const hsts = strictTransportSecurity(request);
  if (hsts !== undefined) {
    try {
      response.headers.set('strict-transport-security', hsts);
    } catch {
      // Immutable headers (a redirect built by the platform): served without it.
    }
  }
  return response;
}

/** Next 16 hands dynamic params as a promise. */
export type SuffixParams = { params: Promise<{ suffix: string }> };
