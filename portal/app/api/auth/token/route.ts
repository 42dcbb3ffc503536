import { toFieldErrors } from '@sep/spec';
import { signInSchema } from '@/server/domain/requests';
import { readBody } from '@/server/http/body';
import { errorResponse } from '@/server/http/errors';
import { open } from '@/server/http/handler';
import { answer } from '@/server/http/responses';

/**
 * Local mode: a 12-hour bearer token for scripts, as a demo user
 * (`curl -X POST -H 'content-type: application/json' -d '{"username":"alice"}'`).
 * Local mode binds to loopback only, so only this machine can ask.
 */
export async function POST(request: Request): Promise<Response> {
  return open(request, async (runtime) => {
    if (runtime.config.mode !== 'local') {
      return errorResponse('not_found', 'aws mode uses PORTAL_API_TOKENS for scripts');
    }
    const { value } = await readBody(request);
    const parsed = signInSchema.safeParse(value);
    if (!parsed.success)
      return errorResponse('validation_failed', 'the token request is invalid', toFieldErrors(parsed.error));
    const token = await runtime.auth.issueDemoToken(parsed.data.username);
    if (token === undefined) {
      return errorResponse('validation_failed', 'unknown user', [
        { path: 'username', message: 'not one of the demo users (alice, bob, carol, dave)' },
      ]);
    }
    return answer('issueToken', token);
  });
}
