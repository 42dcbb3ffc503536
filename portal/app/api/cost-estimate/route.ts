import { toFieldErrors } from '@sep/spec';
import { validationFailed } from '@/server/domain/errors';
import { costEstimateRequestSchema } from '@/server/domain/requests';
import { readBody } from '@/server/http/body';
import { authenticated } from '@/server/http/handler';
import { answer } from '@/server/http/responses';

/** Prices a (partial) request: the form shows each feature toggle's cost effect. */
export async function POST(request: Request): Promise<Response> {
  return authenticated(request, async ({ runtime }) => {
    const { value } = await readBody(request);
    const parsed = costEstimateRequestSchema.safeParse(value);
    if (!parsed.success) throw validationFailed(toFieldErrors(parsed.error));
    return answer('estimateCost', runtime.service.costEstimate(parsed.data));
  });
}
