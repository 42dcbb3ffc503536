import { authenticated } from '@/server/http/handler';
import { answer } from '@/server/http/responses';

/** What the execution waiting at PromoteToProd changes in prod (approvers and admins). */
export async function GET(request: Request): Promise<Response> {
  return authenticated(request, async ({ principal, runtime }) =>
    answer('getPromotionPreview', await runtime.service.promotionPreview(principal.user)),
  );
}
