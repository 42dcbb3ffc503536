import { json } from '@/server/http/errors';
import { open } from '@/server/http/handler';
import { openApiDocument } from '@/server/http/openapi';

/** The OpenAPI document; its server is this portal as its users reach it. */
export async function GET(request: Request): Promise<Response> {
  return open(request, async (runtime) =>
    json(openApiDocument(runtime.config.publicOrigin ?? new URL(request.url).origin)),
  );
}
