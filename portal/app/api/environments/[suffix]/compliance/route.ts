import { json } from '@/server/http/errors';
import { authenticated, type SuffixParams } from '@/server/http/handler';

export async function GET(request: Request, { params }: SuffixParams): Promise<Response> {
  return authenticated(request, async ({ runtime }) => {
    const { suffix } = await params;
    return json(await runtime.service.compliance(suffix));
  });
}
