import { renderEvidenceHtml } from '@/server/evidence/html';
import { errorResponse } from '@/server/http/errors';
import { authenticated, type SuffixParams } from '@/server/http/handler';
import { answer } from '@/server/http/responses';

export async function GET(request: Request, { params }: SuffixParams): Promise<Response> {
  return authenticated(request, async ({ runtime, principal }) => {
    const { suffix } = await params;
    const format = new URL(request.url).searchParams.get('format') ?? 'json';
    if (format !== 'json' && format !== 'html') {
      return errorResponse('validation_failed', 'format must be json or html', [
        { path: 'format', message: 'must be json or html' },
      ]);
    }
    const signed = await runtime.evidence.signedBundle(principal.user, suffix);
    const disposition = `attachment; filename="evidence-${suffix}.${format}"`;
    if (format === 'html') {
      return new Response(renderEvidenceHtml(signed), {
        headers: {
          'content-type': 'text/html; charset=utf-8',
          'cache-control': 'no-store',
          'content-disposition': disposition,
          'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
        },
      });
    }
    return answer('getEnvironmentEvidence', signed, { headers: { 'content-disposition': disposition } });
  });
}
