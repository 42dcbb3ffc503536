import { json } from '@/server/http/errors';
import { authenticated } from '@/server/http/handler';

/** Live-hub counters (upstream polls, watched environments, listeners): what the bench reads. */
export async function GET(request: Request): Promise<Response> {
  return authenticated(request, async ({ runtime }) =>
    json({
      mode: runtime.config.mode,
      pollIntervalMs: runtime.config.pollIntervalMs,
      hub: runtime.service.hub.stats(),
    }),
  );
}
