import { oidcLogin } from '@/server/auth/oidc';
import { errorResponse } from '@/server/http/errors';
import { open } from '@/server/http/handler';

export async function GET(request: Request): Promise<Response> {
  return open(request, async (runtime) => {
    if (runtime.config.oidc === undefined)
      return errorResponse('not_found', 'OIDC sign-in is configured only in aws mode');
    return oidcLogin({ config: runtime.config.oidc, signer: runtime.auth.signer });
  });
}
