import { DEMO_USERS } from '@/server/auth/users';
import { errorResponse } from '@/server/http/errors';
import { open } from '@/server/http/handler';
import { answer } from '@/server/http/responses';

/** Who the local sign-in page offers. Local mode only. */
export async function GET(request: Request): Promise<Response> {
  return open(request, async (runtime) =>
    runtime.config.mode === 'local'
      ? answer('listDemoUsers', DEMO_USERS)
      : errorResponse('not_found', 'demo users exist only in local mode'),
  );
}
