import { json } from '@/server/http/errors';
import { authenticated, type SuffixParams } from '@/server/http/handler';

export async function POST(request: Request, { params }: SuffixParams): Promise<Response> {
  return authenticated(request, async ({ principal, runtime }) => {
    const { suffix } = await params;
    return json(await runtime.service.detectDrift(principal.user, suffix));
  });
}
