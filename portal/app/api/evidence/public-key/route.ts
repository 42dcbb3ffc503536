import { open } from '@/server/http/handler';
import { answer } from '@/server/http/responses';

export async function GET(request: Request): Promise<Response> {
  return open(request, async (runtime) => answer('getEvidencePublicKey', await runtime.evidence.publicKey()));
}
