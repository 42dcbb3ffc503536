import { classifyAwsError, ValidationError } from './errors';
import { errorResponse } from './http';
import { createLogger } from './logger';
import { decodeUtf8Strict, isWellFormedUnicode } from './text';

describe('classifyAwsError', () => {
  it.each([
    [{ name: 'ThrottlingException' }, 'throttled'],
    [{ name: 'SlowDown' }, 'throttled'],
    [{ name: 'Whatever', $metadata: { httpStatusCode: 429 } }, 'throttled'],
    [{ name: 'AccessDenied' }, 'access-denied'],
    [{ name: 'Whatever', $metadata: { httpStatusCode: 403 } }, 'access-denied'],
    [{ name: 'NoSuchKey' }, 'not-found'],
    [{ name: 'NotFound', $metadata: { httpStatusCode: 404 } }, 'not-found'],
    [{ name: 'InternalError', $metadata: { httpStatusCode: 500 } }, 'other'],
    ['a string', 'other'],
  ])('%j → %s', (error, kind) => {
    expect(classifyAwsError(error)).toBe(kind);
  });
});

describe('logger', () => {
  it('writes one JSON line per call above the level (Powertools), with child fields and errors kept readable, no stacks', () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'info', fields: { fn: 'x' }, write: (l) => lines.push(l) }).child({
      req: 'r1',
    });
    log.debug('hidden');
    log.error('boom', {
      error: Object.assign(new Error('denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }),
    });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({
      level: 'ERROR',
      message: 'boom',
      service: 'secure-environment',
      fn: 'x',
      req: 'r1',
      error: { name: 'AccessDenied', message: 'denied', statusCode: 403 },
    });
    expect(lines[0]).not.toContain('at ');
  });
});

describe('errors and responses', () => {
  it('ValidationError lists every field', () => {
    const error = new ValidationError('bad event', [
      { path: 'detail.object.key', message: 'Required' },
      { path: '', message: 'unknown key' },
    ]);
    expect(error.message).toBe('bad event: detail.object.key: Required; (root): unknown key');
  });

  it('errorResponse uses the project error shape and never caches', () => {
    const response = errorResponse({
      statusCode: 400,
      code: 'validation_failed',
      message: 'no',
      fields: [{ path: 'a', message: 'b' }],
    });
    expect(response.headers).toMatchObject({ 'cache-control': 'no-store' });
    expect(JSON.parse(response.body)).toEqual({
      error: { code: 'validation_failed', message: 'no', fields: [{ path: 'a', message: 'b' }] },
    });
  });
});

describe('text', () => {
  it('spots lone surrogates and refuses invalid UTF-8', () => {
    expect(isWellFormedUnicode('ok 😀')).toBe(true);
    expect(isWellFormedUnicode('bad \ud83d')).toBe(false);
    expect(isWellFormedUnicode('bad \ude00 too')).toBe(false);
    expect(decodeUtf8Strict(Buffer.from('héllo'))).toBe('héllo');
    expect(() => decodeUtf8Strict(Buffer.from([0xc3, 0x28]))).toThrow();
  });
});
