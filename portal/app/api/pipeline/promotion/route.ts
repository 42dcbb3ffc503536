import { readBody } from '@/server/http/body';
import { json } from '@/server/http/errors';
import { authenticated } from '@/server/http/handler';

/** Approve or reject the pending PromoteToProd approval. */
export async function POST(request: Request): Promise<Response> {
  return authenticated(request, async ({ principal, runtime }) => {
    const { value } = await readBody(request);
    return json(await runtime.service.decidePromotion(principal.user, value));
  });
}
