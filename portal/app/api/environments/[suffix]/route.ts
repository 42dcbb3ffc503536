import { authenticated, type SuffixParams } from '@/server/http/handler';
import { answer } from '@/server/http/responses';

export async function GET(request: Request, { params }: SuffixParams): Promise<Response> {
  return authenticated(request, async ({ principal, runtime }) => {
    const { suffix } = await params;
    return new Response(await runtime.service.detailBody(principal.user, suffix), {
      headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
    });
  });
}

export async function DELETE(request: Request, { params }: SuffixParams): Promise<Response> {
  return authenticated(request, async ({ principal, runtime }) => {
    const { suffix } = await params;
    return answer('destroyEnvironment', await runtime.service.destroy(principal.user, suffix), {
      status: 202,
    });
  });
}
