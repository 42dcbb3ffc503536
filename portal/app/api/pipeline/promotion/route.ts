import { readBody } from '@/server/http/body';
import { authenticated } from '@/server/http/handler';
import { answer } from '@/server/http/responses';

/** Approve or reject the pending PromoteToProd approval. */
export async function POST(request: Request): Promise<Response> {
  return authenticated(request, async ({ principal, runtime }) => {
    const { value } = await readBody(request);
    return answer('decidePromotion', await runtime.service.decidePromotion(principal.user, value));
  });
}
