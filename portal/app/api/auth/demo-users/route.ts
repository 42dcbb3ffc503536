import { DEMO_USERS } from '@/server/auth/users';
import { errorResponse, json } from '@/server/http/errors';
import { open } from '@/server/http/handler';

/** Who the local sign-in page offers. Local mode only. */
export async function GET(request: Request): Promise<Response> {
  return open(request, async (runtime) =>
    runtime.config.mode === 'local'
      ? json(DEMO_USERS)
      : errorResponse('not_found', 'demo users exist only in local mode'),
  );
}
