import { json } from '@/server/http/errors';
import { authenticated } from '@/server/http/handler';

export async function GET(request: Request): Promise<Response> {
  return authenticated(request, async ({ principal, runtime }) => json(runtime.auth.sessionView(principal)));
}
