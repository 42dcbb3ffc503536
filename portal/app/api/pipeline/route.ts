import { authenticated } from '@/server/http/handler';
import { answer } from '@/server/http/responses';

export async function GET(request: Request): Promise<Response> {
  return authenticated(request, async ({ principal, runtime }) =>
    answer('getPipeline', await runtime.service.pipeline(principal.user)),
  );
}
