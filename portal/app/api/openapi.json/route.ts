import { json } from '@/server/http/errors';
import { openApiDocument } from '@/server/http/openapi';

export function GET(): Response {
  return json(openApiDocument());
}
