import { oidcCallback } from '@/server/auth/oidc';
import { errorResponse } from '@/server/http/errors';
import { open } from '@/server/http/handler';

export async function GET(request: Request): Promise<Response> {
  return open(request, async (runtime) => {
    if (runtime.config.oidc === undefined)
      return errorResponse('not_found', 'OIDC sign-in is configured only in aws mode');
    return oidcCallback({ request, config: runtime.config.oidc, auth: runtime.auth });
  });
}
