import { toFieldErrors } from '@sep/spec';
import { validationFailed } from '@/server/domain/errors';
import { auditQuerySchema } from '@/server/domain/requests';
import { authenticated } from '@/server/http/handler';
import { answer } from '@/server/http/responses';

export async function GET(request: Request): Promise<Response> {
  return authenticated(request, async ({ runtime }) => {
    const query = auditQuerySchema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
    if (!query.success) throw validationFailed(toFieldErrors(query.error));
    return answer('listAuditEntries', await runtime.service.audit(query.data));
  });
}
