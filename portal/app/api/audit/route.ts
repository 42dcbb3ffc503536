import { toFieldErrors } from '@sep/spec';
import { validationFailed } from '@/server/domain/errors';
import { auditQuerySchema } from '@/server/domain/requests';
import { json } from '@/server/http/errors';
import { authenticated } from '@/server/http/handler';

export async function GET(request: Request): Promise<Response> {
  return authenticated(request, async ({ runtime }) => {
    const query = auditQuerySchema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
    if (!query.success) throw validationFailed(toFieldErrors(query.error));
    return json(await runtime.service.audit(query.data));
  });
}
