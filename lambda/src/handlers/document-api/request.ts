import type { APIGatewayProxyEvent } from 'aws-lambda';
import { z } from 'zod';
import { type FieldError, zodFieldErrors } from '../../shared/errors';
import { decodeUtf8Strict, isWellFormedUnicode } from '../../shared/text';

export const DOCUMENT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Text formats the scanner reads; anything else is refused rather than stored unscanned. */
export const ACCEPTED_CONTENT_TYPES = [
  'text/plain',
  'text/csv',
  'text/markdown',
  'application/json',
  'application/xml',
] as const;

export function createDocumentSchema(maxBytes: number) {
  return z.strictObject({
    documentId: z
      .string()
      .regex(DOCUMENT_ID_PATTERN, {
        error: 'must be 1–128 letters, digits, ".", "_" or "-", starting with a letter or digit',
      })
      .optional(),
    contentType: z.enum(ACCEPTED_CONTENT_TYPES, {
      error: `must be one of ${ACCEPTED_CONTENT_TYPES.join(', ')}`,
    }),
    content: z
      .string({ error: 'is required and must be a string' })
      .refine(isWellFormedUnicode, { error: 'must be valid UTF-8 text', abort: true })
      .refine((s) => !s.includes('\u0000'), { error: 'must not contain NUL characters', abort: true })
      .refine((s) => Buffer.byteLength(s, 'utf8') <= maxBytes, {
        error: `must be at most ${maxBytes} bytes of UTF-8`,
      }),
  });
}
export type DocumentRequest = z.output<ReturnType<typeof createDocumentSchema>>;

export type ParsedBody =
  | { readonly ok: true; readonly document: DocumentRequest }
  | {
      readonly ok: false;
      readonly statusCode: 400 | 413 | 415;
      readonly code: string;
      readonly message: string;
      readonly fields?: FieldError[];
    };

/** JSON overhead allowed on top of the content limit before the body is refused unread. */
const ENVELOPE_BYTES = 16 * 1024;

export function parseDocumentBody(
  event: Pick<APIGatewayProxyEvent, 'body' | 'isBase64Encoded' | 'headers'>,
  maxBytes: number,
): ParsedBody {
  const contentTypeHeader = Object.entries(event.headers ?? {}).find(
    ([k]) => k.toLowerCase() === 'content-type',
  )?.[1];
  if (contentTypeHeader !== undefined && !/^application\/json\s*(;|$)/i.test(contentTypeHeader)) {
    return {
      ok: false,
      statusCode: 415,
      code: 'unsupported_media_type',
      message: 'request body must be application/json',
    };
  }
  if (event.body === null || event.body === undefined || event.body.length === 0) {
    return { ok: false, statusCode: 400, code: 'missing_body', message: 'request body is required' };
  }
  const bytes = event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
  if (bytes.length > maxBytes * 6 + ENVELOPE_BYTES) {
    // JSON escapes can make a body up to 6x its content (\u00XX); anything larger is refused unread.
    return {
      ok: false,
      statusCode: 413,
      code: 'payload_too_large',
      message: `document content must be at most ${maxBytes} bytes`,
    };
  }
  let text: string;
  try {
    text = event.isBase64Encoded ? decodeUtf8Strict(bytes) : event.body;
  } catch {
    return { ok: false, statusCode: 400, code: 'invalid_encoding', message: 'request body must be UTF-8' };
  }
  if (!isWellFormedUnicode(text)) {
    return { ok: false, statusCode: 400, code: 'invalid_encoding', message: 'request body must be UTF-8' };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return {
      ok: false,
      statusCode: 400,
      code: 'invalid_json',
      message: 'request body must be a JSON object',
    };
  }
  const parsed = createDocumentSchema(maxBytes).safeParse(json);
  if (!parsed.success) {
    const fields = zodFieldErrors(parsed.error.issues);
    const tooLarge = fields.some((f) => f.path === 'content' && f.message.startsWith('must be at most'));
    return tooLarge
      ? {
          ok: false,
          statusCode: 413,
          code: 'payload_too_large',
          message: `document content must be at most ${maxBytes} bytes`,
          fields,
        }
      : { ok: false, statusCode: 400, code: 'validation_failed', message: 'request body is invalid', fields };
  }
  return { ok: true, document: parsed.data };
}
