import { logger } from '@/server/logger';
import { runtime } from '@/server/runtime';

/** Never cached, never prerendered: each probe checks again. */
export const dynamic = 'force-dynamic';

/**
 * Readiness for the load balancer's health check: 200 once the configuration loaded (secrets
 * included) and both stores answer, 503 otherwise. The body says which check failed and nothing
 * more; the reason is in the log. (The load balancer answers this path 404 to the internet.)
 */
export async function GET(): Promise<Response> {
  const headers = { 'content-type': 'application/json', 'cache-control': 'no-store' };
  try {
    const report = await (await runtime()).readiness();
    return new Response(
      JSON.stringify({ ready: report.ready, checks: { configuration: true, ...report.checks } }),
      {
        status: report.ready ? 200 : 503,
        headers,
      },
    );
  } catch (error) {
    logger.error({ err: error }, 'readiness: the runtime did not start');
    return new Response(JSON.stringify({ ready: false, checks: { configuration: false } }), {
      status: 503,
      headers,
    });
  }
}
