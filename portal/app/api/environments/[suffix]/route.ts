import { json } from '@/server/http/errors';
import { authenticated, type SuffixParams } from '@/server/http/handler';

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
    return json(await runtime.service.destroy(principal.user, suffix), { status: 202 });
  });
}
