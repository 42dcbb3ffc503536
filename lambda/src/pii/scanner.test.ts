import { LOOKAHEAD_CHARS, LOOKBEHIND_CHARS } from './detectors';
import { PiiScanner, scanText, WINDOW_BYTES } from './scanner';

/** Bytes the first window commits: everything but the look-ahead it keeps for the next one. */
const FIRST_WINDOW_COMMITS = LOOKBEHIND_CHARS + WINDOW_BYTES;

function filler(bytes: number): Buffer {
  return Buffer.alloc(bytes, 'lorem ipsum ');
}

describe('PiiScanner windows', () => {
  it('gathers small chunks until a window is full, then scans it', () => {
    const scanner = new PiiScanner();
    scanner.pushBytes(filler(64 * 1024));
    // Nothing is scanned yet: a 64 KiB socket read does not make a window of its own.
    expect(scanner.scannedBytes).toBe(0);
    scanner.pushBytes(filler(64 * 1024));
    expect(scanner.scannedBytes).toBe(FIRST_WINDOW_COMMITS);
  });

  it('cuts a large chunk into full windows', () => {
    const scanner = new PiiScanner();
    scanner.pushBytes(filler(1024 * 1024));
    const windows = Math.floor((1024 * 1024 - LOOKBEHIND_CHARS - LOOKAHEAD_CHARS) / WINDOW_BYTES);
    expect(scanner.scannedBytes).toBe(FIRST_WINDOW_COMMITS + (windows - 1) * WINDOW_BYTES);
    scanner.finish();
    expect(scanner.scannedBytes).toBe(1024 * 1024);
  });

  it('reports a match that straddles two windows once, at its offset in the input', () => {
    const card = '4111 1111 1111 1111';
    const at = FIRST_WINDOW_COMMITS - 5;
    const text = `${'x'.repeat(at - 1)} ${card} ${'y'.repeat(4096)}`;
    const { types } = scanText(text);
    expect(types).toEqual([
      {
        type: 'payment-card',
        count: 1,
        findings: [expect.objectContaining({ offset: at, length: card.length })],
      },
    ]);
  });
});
