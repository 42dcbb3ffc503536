import { DomainError } from '../domain/errors';

/** Largest request body accepted: a spec is well under 4 KiB. */
export const MAX_BODY_BYTES = 64 * 1024;

export type BodyKind = 'json' | 'form';

/**
 * Reads a request body with the API's rules: declared content type (415),
 * size (413, checked on the header and on the bytes actually read) and JSON
 * syntax (400).
 */
export async function readBody(
  request: Request,
  options: { accept?: readonly BodyKind[] } = {},
): Promise<{ kind: BodyKind; value: unknown }> {
  const accept = options.accept ?? ['json'];
  const type = (request.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const kind: BodyKind | undefined =
    type === 'application/json' || type.endsWith('+json')
      ? 'json'
      : type === 'application/x-www-form-urlencoded'
        ? 'form'
        : undefined;
  if (kind === undefined || !accept.includes(kind)) {
    throw new DomainError(
      'unsupported_media_type',
      `Content-Type must be ${accept.map(mediaType).join(' or ')}`,
    );
  }
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > MAX_BODY_BYTES) throw tooLarge();
  const text = await readLimited(request);
  if (kind === 'form') return { kind, value: Object.fromEntries(new URLSearchParams(text)) };
  if (text.trim() === '')
    throw new DomainError('validation_failed', 'the body is empty', [
      { path: '(root)', message: 'a JSON body is required' },
    ]);
  try {
    return { kind, value: JSON.parse(text) as unknown };
  } catch {
    throw new DomainError('validation_failed', 'the body is not valid JSON', [
      { path: '(root)', message: 'invalid JSON' },
    ]);
  }
}

const mediaType = (kind: BodyKind) =>
  kind === 'json' ? 'application/json' : 'application/x-www-form-urlencoded';
const tooLarge = () => new DomainError('payload_too_large', `the body exceeds ${MAX_BODY_BYTES} bytes`);

async function readLimited(request: Request): Promise<string> {
  if (request.body === null) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
