import { authenticated, type SuffixParams } from '@/server/http/handler';
import { answer } from '@/server/http/responses';

/** Deploys a failed environment again (audited); 202: the platform works on it, follow the detail. */
export async function POST(request: Request, { params }: SuffixParams): Promise<Response> {
  return authenticated(request, async ({ principal, runtime }) => {
    const { suffix } = await params;
    return answer('retryEnvironment', await runtime.service.retry(principal.user, suffix), { status: 202 });
  });
}
