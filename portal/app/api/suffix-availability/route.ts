import { toFieldErrors } from '@sep/spec';
import { validationFailed } from '@/server/domain/errors';
import { suffixQuerySchema } from '@/server/domain/requests';
import { authenticated } from '@/server/http/handler';
import { answer } from '@/server/http/responses';

export async function GET(request: Request): Promise<Response> {
  return authenticated(request, async ({ runtime }) => {
    const query = suffixQuerySchema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
    if (!query.success) throw validationFailed(toFieldErrors(query.error));
    return answer('checkSuffixAvailability', await runtime.service.suffixAvailability(query.data.suffix));
  });
}
