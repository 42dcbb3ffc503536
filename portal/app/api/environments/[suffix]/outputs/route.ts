import { authenticated, type SuffixParams } from '@/server/http/handler';

/** `flat-outputs.json`: the deployed stack's outputs as one flat `{ OutputKey: value }` object. */
export async function GET(request: Request, { params }: SuffixParams): Promise<Response> {
  return authenticated(request, async ({ runtime }) => {
    const { suffix } = await params;
    const outputs = await runtime.service.flatOutputs(suffix);
    return new Response(`${JSON.stringify(outputs, null, 2)}\n`, {
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'content-disposition': `attachment; filename="flat-outputs.json"`,
        'cache-control': 'no-store',
      },
    });
  });
}
