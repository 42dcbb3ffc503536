import { checkSync } from 'recheck';
import { DOCUMENT_ID_PATTERN } from '../handlers/document-api/request';
import { LONE_SURROGATE } from '../shared/text';
import { PATTERNS } from './patterns';
import { scanText } from './scanner';

/** Every regular expression that sees untrusted text. */
const ALL_PATTERNS: Record<string, RegExp> = {
  ...PATTERNS,
  documentId: DOCUMENT_ID_PATTERN,
  loneSurrogate: LONE_SURROGATE,
};

describe('ReDoS', () => {
  it.each(Object.entries(ALL_PATTERNS))('recheck proves %s safe', (_name, pattern) => {
    const result = checkSync(pattern.source, pattern.flags, { timeout: 20_000 });
    expect(result.status).toBe('safe');
  });

  // Inputs built to make a backtracking pattern blow up: long near-matches that fail at the end.
  const adversarial: Record<string, string> = {
    'digits and separators': `${'1 '.repeat(50_000)}x`,
    'dash runs': `${'12-'.repeat(40_000)}-`,
    'parenthesised runs': `${'(1) '.repeat(30_000)}`,
    'at signs': 'a@'.repeat(60_000),
    'domain labels': `x@${'a.'.repeat(60_000)}1`,
    'long local parts': `${'a'.repeat(100_000)}@example.com`,
    'hyphenated labels': `x@${'a-'.repeat(60_000)}.com`,
    'upper-case runs': `GB82 ${'WEST '.repeat(30_000)}`,
    'access key prefixes': 'AKIA'.repeat(40_000),
    'plus runs': '+1'.repeat(60_000),
  };

  it.each(Object.entries(adversarial))('scans %s (~120 KB) and stays correct', (_name, text) => {
    // A catastrophic pattern would not finish within jest's timeout; the result must also be sane.
    const result = scanText(text);
    expect(result.total).toBeLessThan(text.length);
  });

  it('still finds PII after adversarial padding', () => {
    const text = `${'1 '.repeat(20_000)}x SSN 536-90-4399 ${'a@'.repeat(20_000)} 4111 1111 1111 1111`;
    const types = scanText(text).types.map((t) => [t.type, t.count]);
    expect(types).toEqual([
      ['payment-card', 1],
      ['us-ssn', 1],
    ]);
  });
});
