import type { Principal } from '../auth/authenticator';
import { type PortalRuntime, runtime } from '../runtime';
import { errorResponse, toErrorResponse } from './errors';

export interface HandlerContext {
  readonly request: Request;
  readonly principal: Principal;
  readonly runtime: PortalRuntime;
}

/** Route handlers' shared prologue: the runtime, the caller (401 without one), errors as `ApiError`. */
export async function authenticated(
  request: Request,
  handle: (context: HandlerContext) => Promise<Response>,
): Promise<Response> {
  try {
    const rt = await runtime();
    const principal = await rt.auth.principal(request);
    if (principal === undefined) return errorResponse('unauthenticated', 'sign in or send a bearer token');
    return await handle({ request, principal, runtime: rt });
  } catch (error) {
    return toErrorResponse(error);
  }
}

/** For public routes (sign-in, OpenAPI): runtime and error mapping, no caller required. */
export async function open(
  request: Request,
  handle: (runtime: PortalRuntime) => Promise<Response>,
): Promise<Response> {
  try {
    void request;
    return await handle(await runtime());
  } catch (error) {
    return toErrorResponse(error);
  }
}

/** Next 16 hands dynamic params as a promise. */
export type SuffixParams = { params: Promise<{ suffix: string }> };
