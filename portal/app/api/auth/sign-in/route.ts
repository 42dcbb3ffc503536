import { toFieldErrors } from '@sep/spec';
import { isSameOrigin } from '@/server/auth/same-origin';
import { signInSchema } from '@/server/domain/requests';
import { readBody } from '@/server/http/body';
import { errorResponse } from '@/server/http/errors';
import { open } from '@/server/http/handler';
import { answer } from '@/server/http/responses';

/**
 * Local mode sign-in as a demo user. JSON → 200 Session; an HTML form post →
 * 303 to `next`. Same-origin is required (login CSRF would sign a victim in
 * as someone else).
 */
export async function POST(request: Request): Promise<Response> {
  return open(request, async (runtime) => {
    if (runtime.config.mode !== 'local')
      return errorResponse('not_found', 'aws mode signs in through /api/auth/oidc/login');
    if (!isSameOrigin(request, runtime.config.publicOrigin)) {
      return errorResponse('forbidden', 'cross-origin sign-in refused');
    }
    const { kind, value } = await readBody(request, { accept: ['json', 'form'] });
    const parsed = signInSchema.safeParse(value);
    if (!parsed.success)
      return errorResponse(
        'validation_failed',
        'the sign-in request is invalid',
        toFieldErrors(parsed.error),
      );
    const signedIn = await runtime.auth.signInDemo(parsed.data.username);
    if (signedIn === undefined) {
      return errorResponse('validation_failed', 'unknown user', [
        { path: 'username', message: 'not one of the demo users (alice, bob, carol, dave)' },
      ]);
    }
    if (kind === 'form') {
      return new Response(null, {
        status: 303,
        headers: {
          location: parsed.data.next ?? '/',
          'set-cookie': signedIn.setCookie,
          'cache-control': 'no-store',
        },
      });
    }
    return answer('signIn', signedIn.session, { headers: { 'set-cookie': signedIn.setCookie } });
  });
}
