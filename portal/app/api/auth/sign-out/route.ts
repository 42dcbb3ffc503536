import { open } from '@/server/http/handler';

/** Clears the session cookie. JSON/fetch callers get 204; form posts go back to the sign-in page. */
export async function POST(request: Request): Promise<Response> {
  return open(request, async (runtime) => {
    const form = (request.headers.get('content-type') ?? '').startsWith('application/x-www-form-urlencoded');
    const headers = { 'set-cookie': runtime.auth.clearCookie(), 'cache-control': 'no-store' };
    return form
      ? new Response(null, { status: 303, headers: { ...headers, location: '/sign-in' } })
      : new Response(null, { status: 204, headers });
  });
}
