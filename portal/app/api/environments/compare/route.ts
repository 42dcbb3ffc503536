import { toFieldErrors } from '@sep/spec';
import { compareQuerySchema } from '@/server/domain/comparison';
import { validationFailed } from '@/server/domain/errors';
import { authenticated } from '@/server/http/handler';
import { answer } from '@/server/http/responses';

export async function GET(request: Request): Promise<Response> {
  return authenticated(request, async ({ runtime, principal }) => {
    const query = compareQuerySchema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
    if (!query.success) throw validationFailed(toFieldErrors(query.error));
    const { left, right } = query.data;
    return answer('compareEnvironments', await runtime.comparison.compare(principal.user, left, right));
  });
}
