import { gzipSync } from 'node:zlib';
import { LABELLED_CORPUS } from './fixtures/labelled-corpus';
import { scanText } from './scanner';
import { scanStream } from './stream';
import type { ScanResult } from './types';

async function* chunked(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < bytes.length; offset += size) yield bytes.subarray(offset, offset + size);
}

function signature(result: Pick<ScanResult, 'types'>): string[] {
  return result.types.flatMap((t) => t.findings.map((f) => `${t.type}@${f.offset}+${f.length}:${f.masked}`));
}

const corpusText = LABELLED_CORPUS.map((l) => l.text).join('\n');
const expectedCount = LABELLED_CORPUS.reduce((n, l) => n + l.pii.length, 0);

describe('scanStream chunk boundaries', () => {
  const bytes = Buffer.from(corpusText.repeat(40), 'utf8');
  const reference = signature(scanText(corpusText.repeat(40), { maxFindingsPerType: 10_000 }));

  it('the reference finds every labelled item on every repetition', () => {
    expect(reference).toHaveLength(expectedCount * 40);
  });

  it.each([1, 3, 7, 64, 1000, 4093, 65_536, 200_000])(
    'finds each match exactly once with %i-byte chunks',
    async (size) => {
      const result = await scanStream({ source: chunked(bytes, size), maxFindingsPerType: 10_000 });
      expect(result.status).toBe('complete');
      expect(signature(result)).toEqual(reference);
      expect(result.scannedBytes).toBe(bytes.length);
    },
  );

  it('finds a match split at every possible position', async () => {
    const text = `${'x'.repeat(3000)} card 4111 1111 1111 1111 mail jane@example.com `;
    const buffer = Buffer.from(text);
    for (let split = 2990; split < buffer.length; split++) {
      async function* two() {
        yield buffer.subarray(0, split);
        yield buffer.subarray(split);
      }
      const result = await scanStream({ source: two() });
      expect(result.types.map((t) => [t.type, t.count])).toEqual([
        ['payment-card', 1],
        ['email', 1],
      ]);
    }
  });
});

describe('scanStream content handling', () => {
  it('decompresses gzip on the fly', async () => {
    const raw = Buffer.from(corpusText.repeat(200));
    const gz = gzipSync(raw);
    const result = await scanStream({ source: chunked(gz, 4096) });
    expect(result).toMatchObject({
      status: 'complete',
      contentKind: 'gzip+text',
      bytesRead: gz.length,
      scannedBytes: raw.length,
    });
    expect(result.totalFindings).toBe(expectedCount * 200);
  });

  it('reports corrupt gzip as failed and never clean', async () => {
    const gz = gzipSync(Buffer.from('no pii here '.repeat(10_000)));
    const corrupt = Buffer.concat([gz.subarray(0, 40), Buffer.alloc(200, 0x41), gz.subarray(240)]);
    const result = await scanStream({ source: chunked(corrupt, 1024) });
    expect(result.status).toBe('failed');
    expect(result.verdict).toBe('incomplete');
    expect(result.reason).toMatch(/decode failed/);
  });

  it.each([
    ['png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13])],
    ['pdf', Buffer.from('%PDF-1.7\n4111 1111 1111 1111')],
    ['utf-16le', Buffer.from('\ufeffSSN 536-90-4399', 'utf16le')],
    ['binary', Buffer.from([1, 2, 3, 0, 5, 6, 7, 8])],
  ])('reports %s as unsupported instead of scanning it', async (format, bytes) => {
    const result = await scanStream({ source: chunked(bytes, 3) });
    expect(result).toMatchObject({ status: 'unsupported', verdict: 'incomplete', contentKind: format });
  });

  it('stops at a NUL byte after the sniffed head, keeping what it found', async () => {
    const bytes = Buffer.concat([
      Buffer.from(`SSN 536-90-4399 ${'text '.repeat(300_000)}`),
      Buffer.from([0]),
      Buffer.from('more'),
    ]);
    const result = await scanStream({ source: chunked(bytes, 65_536) });
    expect(result.status).toBe('unsupported');
    expect(result.verdict).toBe('pii');
    expect(result.types.map((t) => t.type)).toEqual(['us-ssn']);
  });

  it('an empty object is clean', async () => {
    const result = await scanStream({ source: chunked(Buffer.alloc(0), 1) });
    expect(result).toMatchObject({ status: 'complete', verdict: 'clean', scannedBytes: 0 });
  });

  it('caps kept occurrences but counts all of them', async () => {
    const bytes = Buffer.from('jo@example.com '.repeat(500));
    const result = await scanStream({ source: chunked(bytes, 999), maxFindingsPerType: 10 });
    expect(result.types[0]).toMatchObject({ type: 'email', count: 500 });
    expect(result.types[0]?.findings).toHaveLength(10);
  });
});

describe('scanStream budgets (fail closed)', () => {
  it('stops at the deadline with a partial result saying how far it got', async () => {
    let clock = 0;
    const bytes = Buffer.from('nothing to see here '.repeat(500_000));
    async function* ticking() {
      for (let offset = 0; offset < bytes.length; offset += 256 * 1024) {
        clock += 10;
        yield bytes.subarray(offset, offset + 256 * 1024);
      }
    }
    const result = await scanStream({ source: ticking(), deadline: 45, now: () => clock });
    expect(result.status).toBe('partial');
    expect(result.verdict).toBe('incomplete');
    expect(result.reason).toMatch(/time budget/);
    expect(result.scannedBytes).toBeGreaterThan(0);
    expect(result.scannedBytes).toBeLessThan(bytes.length);
  });

  it('stops while waiting on a stalled source', async () => {
    async function* stalled() {
      yield Buffer.from('hello ');
      await new Promise(() => undefined);
    }
    const result = await scanStream({ source: stalled(), deadline: Date.now() + 50 });
    expect(result).toMatchObject({ status: 'partial', verdict: 'incomplete' });
  });

  it('stops past the decoded-size limit (decompression bombs)', async () => {
    const gz = gzipSync(Buffer.alloc(20_000_000, 0x61));
    const result = await scanStream({ source: chunked(gz, 65_536), maxDecodedBytes: 5_000_000 });
    expect(result).toMatchObject({ status: 'partial', verdict: 'incomplete' });
    expect(result.reason).toMatch(/limit/);
  });

  it('a failing source is failed, not clean', async () => {
    async function* broken() {
      yield Buffer.from('some text ');
      throw new Error('socket hang up');
    }
    const result = await scanStream({ source: broken() });
    expect(result).toMatchObject({ status: 'failed', verdict: 'incomplete' });
  });
});
