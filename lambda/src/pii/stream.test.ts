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
    ['utf-32le', Buffer.from([0xff, 0xfe, 0, 0, 0x41, 0, 0, 0])],
    ['binary', Buffer.from([1, 2, 3, 0, 5, 6, 7, 8])],
    ['gzip+nested gzip', gzipSync(gzipSync('SSN 536-90-4399'))],
    // Little-endian 16-bit numbers below 256 look like UTF-16 by their NULs, but decode to control characters.
    ['utf-16le+binary', Buffer.from(Uint16Array.from({ length: 512 }, (_, i) => (i * 7) % 32).buffer)],
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

  it('leaves no timer behind when a read fails before the deadline', async () => {
    // A timer left armed until the deadline keeps the process (a Lambda's, a test runner's) alive.
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    try {
      async function* broken() {
        yield Buffer.from('some text ');
        throw new Error('socket hang up');
      }
      const result = await scanStream({ source: broken(), deadline: Date.now() + 60_000 });
      expect(result).toMatchObject({ status: 'failed', verdict: 'incomplete' });
      expect(jest.getTimerCount()).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });
});

/** Everything the source yields, then `error` thrown mid-stream. */
async function* failingAfter(bytes: Uint8Array, error: Error): AsyncGenerator<Uint8Array> {
  yield* chunked(bytes, 4096);
  throw error;
}

function kinds(result: ScanResult): string[] {
  return result.types.map((t) => `${t.type}=${t.count}`);
}

describe('scanStream gzip: every compressed byte is decoded and scanned, or the scan is incomplete', () => {
  const first = gzipSync(Buffer.from('first member, nothing personal\n'));
  const second = gzipSync(Buffer.from('second member: SSN 536-90-4399\n'));

  it.each([1, 7, 4096])('scans every member of a multi-member gzip (%i-byte chunks)', async (size) => {
    const result = await scanStream({ source: chunked(Buffer.concat([first, second]), size) });
    expect(result).toMatchObject({ status: 'complete', verdict: 'pii', contentKind: 'gzip+text' });
    expect(kinds(result)).toEqual(['us-ssn=1']);
  });

  it.each([1, 7, 4096])(
    'skips NUL padding between members and scans the member after it (%i-byte chunks)',
    async (size) => {
      const padded = Buffer.concat([first, Buffer.alloc(35), second, Buffer.alloc(512)]);
      const result = await scanStream({ source: chunked(padded, size) });
      expect(result).toMatchObject({ status: 'complete', verdict: 'pii', bytesRead: padded.length });
      expect(kinds(result)).toEqual(['us-ssn=1']);
    },
  );

  it('NUL padding after the last member is complete and clean', async () => {
    const result = await scanStream({ source: chunked(Buffer.concat([first, Buffer.alloc(4096)]), 100) });
    expect(result).toMatchObject({ status: 'complete', verdict: 'clean' });
  });

  it.each([
    [
      'plain text after the padding',
      Buffer.concat([first, Buffer.alloc(3), Buffer.from('SSN 536-90-4399 in clear')]),
    ],
    [
      'a lone gzip magic byte after the padding',
      Buffer.concat([first, Buffer.alloc(3), Buffer.from([0x1f])]),
    ],
    ['text right after the member', Buffer.concat([first, Buffer.from('trailing text, never decoded')])],
    ['a truncated second member', Buffer.concat([first, second.subarray(0, 20)])],
  ])('is never clean with %s', async (_name, bytes) => {
    const result = await scanStream({ source: chunked(bytes, 7) });
    expect(result.status).toBe('failed');
    expect(result.verdict).toBe('incomplete');
    expect(result.reason).toMatch(/gzip|header|end of file/);
  });
});

describe('scanStream keeps what it found in what it read (verdict pii, incompleteness stated)', () => {
  const tail = `${'filler text '.repeat(1000)}card 4111 1111 1111 1111 mail jane@example.com`;

  it('on a stream error, including PII in the last bytes before it', async () => {
    const result = await scanStream({ source: failingAfter(Buffer.from(tail), new Error('socket hang up')) });
    expect(result).toMatchObject({
      status: 'failed',
      verdict: 'pii',
      reason: expect.stringMatching(/hang up/),
    });
    expect(kinds(result)).toEqual(['payment-card=1', 'email=1']);
    expect(result.scannedBytes).toBe(Buffer.byteLength(tail));
  });

  it('on a stream error within the sniffed head', async () => {
    const result = await scanStream({
      source: failingAfter(Buffer.from('SSN 536-90-4399'), new Error('reset')),
    });
    expect(result).toMatchObject({ status: 'failed', verdict: 'pii' });
    expect(kinds(result)).toEqual(['us-ssn=1']);
  });

  it('on a NUL byte, scanning up to it', async () => {
    const bytes = Buffer.concat([Buffer.from(tail), Buffer.from([0]), Buffer.from(' SSN 536-90-4399')]);
    const result = await scanStream({ source: chunked(bytes, 65_536) });
    expect(result).toMatchObject({ status: 'unsupported', verdict: 'pii' });
    expect(result.reason).toMatch(`NUL byte at offset ${Buffer.byteLength(tail)}`);
    expect(kinds(result)).toEqual(['payment-card=1', 'email=1']);
  });

  it('on a gzip decode error', async () => {
    const gz = gzipSync(Buffer.from(tail));
    const result = await scanStream({ source: chunked(gz.subarray(0, gz.length - 6), 64) });
    expect(result).toMatchObject({ status: 'failed', verdict: 'pii' });
    expect(kinds(result)).toEqual(['payment-card=1', 'email=1']);
  });

  it('at the deadline, including what the last batch read', async () => {
    let clock = 0;
    // The SSN is in the fifth 256 KiB read, the last one before the clock passes the deadline.
    const bytes = Buffer.from(
      `${'nothing to see here '.repeat(60_000)}SSN 536-90-4399 ${'x'.repeat(2_000_000)}`,
    );
    async function* ticking() {
      for (let offset = 0; offset < bytes.length; offset += 256 * 1024) {
        clock += 10;
        yield bytes.subarray(offset, offset + 256 * 1024);
      }
    }
    const result = await scanStream({ source: ticking(), deadline: 45, now: () => clock });
    expect(result).toMatchObject({
      status: 'partial',
      verdict: 'pii',
      reason: expect.stringMatching(/time budget/),
    });
    expect(kinds(result)).toEqual(['us-ssn=1']);
    expect(result.scannedBytes).toBeLessThan(bytes.length);
  });

  it('while waiting on a stalled source', async () => {
    async function* stalled() {
      yield Buffer.from('call +44 20 7946 0958 ');
      await new Promise(() => undefined);
    }
    const result = await scanStream({ source: stalled(), deadline: Date.now() + 50 });
    expect(result).toMatchObject({ status: 'partial', verdict: 'pii' });
    expect(kinds(result)).toEqual(['phone=1']);
  });
});

describe('scanStream reads UTF-16 and control-character-delimited text', () => {
  const text = `name,ssn,card\r\njo,536-90-4399,4111 1111 1111 1111\r\n${'row,without,pii\r\n'.repeat(400)}mail jane@example.com\r\n`;
  const expected = ['payment-card=1', 'us-ssn=1', 'email=1'];
  const utf16be = (s: string) => Buffer.from(s, 'utf16le').swap16();

  it.each([
    ['utf-16le with a BOM', Buffer.from(`\ufeff${text}`, 'utf16le'), 'utf-16le+text'],
    ['utf-16be with a BOM', utf16be(`\ufeff${text}`), 'utf-16be+text'],
    ['utf-16le without a BOM', Buffer.from(text, 'utf16le'), 'utf-16le+text'],
    ['utf-16be without a BOM', utf16be(text), 'utf-16be+text'],
    ['gzipped utf-16le', gzipSync(Buffer.from(`\ufeff${text}`, 'utf16le')), 'gzip+utf-16le+text'],
  ])('decodes %s and scans it, whatever the chunking', async (_name, bytes, contentKind) => {
    for (const size of [1, 3, 4097, 65_536]) {
      const result = await scanStream({ source: chunked(bytes, size) });
      expect(result).toMatchObject({ status: 'complete', verdict: 'pii', contentKind });
      expect(kinds(result)).toEqual(expected);
    }
  });

  it('a UTF-16 NUL character mid-stream still stops the scan as binary', async () => {
    const bytes = Buffer.from(`${text}${'more '.repeat(1000)}\u0000 SSN 219-09-9998`, 'utf16le');
    const result = await scanStream({ source: chunked(bytes, 4096) });
    expect(result).toMatchObject({ status: 'unsupported', verdict: 'pii', contentKind: 'utf-16le+text' });
  });

  it.each([
    ['Hive (\\x01 fields, \\x02 collections, \\x03 map keys)', '\x01', '\x02', '\x03'],
    ['FIX (SOH between tag=value fields)', '\x01', '|', '='],
    ['ASCII unit and record separators', '\x1f', '\x1e', '\x1d'],
  ])('scans %s as text', async (_name, field, collection, key) => {
    const row = (cells: string[]) => `${cells.join(field)}\n`;
    const bytes = Buffer.from(
      [
        row(['8=FIX.4.2', '9=178', '35=D', `ids${collection}a${key}1${collection}b${key}2`]),
        row(['jo', '536-90-4399', '4111111111111111', 'jane@example.com']),
        ...Array.from({ length: 200 }, (_, i) => row([`${i}`, 'x', 'y', `k${key}v`])),
      ].join(''),
    );
    const result = await scanStream({ source: chunked(bytes, 1000) });
    expect(result).toMatchObject({ status: 'complete', verdict: 'pii', contentKind: 'text' });
    expect(kinds(result)).toEqual(expected);
  });
});
