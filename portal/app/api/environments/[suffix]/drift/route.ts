import { authenticated, type SuffixParams } from '@/server/http/handler';
import { answer } from '@/server/http/responses';

export async function POST(request: Request, { params }: SuffixParams): Promise<Response> {
  return authenticated(request, async ({ principal, runtime }) => {
    const { suffix } = await params;
    return answer('detectEnvironmentDrift', await runtime.service.detectDrift(principal.user, suffix));
  });
}
