import { authenticated, type SuffixParams } from '@/server/http/handler';
import { answer } from '@/server/http/responses';

export async function GET(request: Request, { params }: SuffixParams): Promise<Response> {
  return authenticated(request, async ({ runtime }) => {
    const { suffix } = await params;
    return answer('getEnvironmentCompliance', await runtime.service.compliance(suffix));
  });
}
