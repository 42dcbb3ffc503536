import { toFieldErrors } from '@sep/spec';
import { validationFailed } from '@/server/domain/errors';
import { listQuerySchema } from '@/server/domain/requests';
import { readBody } from '@/server/http/body';
import { authenticated } from '@/server/http/handler';
import { answer } from '@/server/http/responses';

export async function GET(request: Request): Promise<Response> {
  return authenticated(request, async ({ principal, runtime }) => {
    const query = listQuerySchema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
    if (!query.success) throw validationFailed(toFieldErrors(query.error));
    return new Response(await runtime.service.listBody(principal.user, query.data), {
      headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
    });
  });
}

export async function POST(request: Request): Promise<Response> {
  return authenticated(request, async ({ principal, runtime }) => {
    const { value } = await readBody(request);
    const detail = await runtime.service.request(principal.user, value);
    return answer('createEnvironment', detail, {
      status: 201,
      headers: { location: `/api/environments/${detail.environmentSuffix}` },
    });
  });
}
