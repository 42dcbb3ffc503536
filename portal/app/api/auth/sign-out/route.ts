import { isSameOrigin } from '@/server/auth/same-origin';
import { errorResponse } from '@/server/http/errors';
import { open } from '@/server/http/handler';

/**
 * Clears the session cookie. JSON/fetch callers get 204; form posts go back to the sign-in page. Only
 * the portal's own pages may sign a user out (another site's form would otherwise end sessions at will).
 */
export async function POST(request: Request): Promise<Response> {
  return open(request, async (runtime) => {
    if (!isSameOrigin(request, runtime.config.publicOrigin))
      return errorResponse('forbidden', 'cross-origin request refused: sign out from the portal itself');
    await runtime.auth.endSession(request);
    const form = (request.headers.get('content-type') ?? '').startsWith('application/x-www-form-urlencoded');
    const headers = { 'set-cookie': runtime.auth.clearCookie(), 'cache-control': 'no-store' };
    return form
      ? new Response(null, { status: 303, headers: { ...headers, location: '/sign-in' } })
      : new Response(null, { status: 204, headers });
  });
}
