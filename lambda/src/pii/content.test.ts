import { sniff } from './content';

const text = 'name,ssn\njo,536-90-4399\n'.repeat(40);

describe('sniff', () => {
  it.each([
    ['plain text', Buffer.from(text), { kind: 'text' }],
    ['gzip', Buffer.from([0x1f, 0x8b, 8, 0]), { kind: 'gzip' }],
    [
      'UTF-16LE by its byte order mark',
      Buffer.from(`\ufeff${text}`, 'utf16le'),
      { kind: 'utf-16', encoding: 'utf-16le' },
    ],
    [
      'UTF-16BE by its byte order mark',
      Buffer.from(`\ufeff${text}`, 'utf16le').swap16(),
      { kind: 'utf-16', encoding: 'utf-16be' },
    ],
    ['UTF-16LE by its NULs', Buffer.from(text, 'utf16le'), { kind: 'utf-16', encoding: 'utf-16le' }],
    ['UTF-16BE by its NULs', Buffer.from(text, 'utf16le').swap16(), { kind: 'utf-16', encoding: 'utf-16be' }],
    [
      'UTF-32LE, whose mark starts like UTF-16LE',
      Buffer.from([0xff, 0xfe, 0, 0, 0x41, 0, 0, 0]),
      { kind: 'unsupported', format: 'utf-32le' },
    ],
    [
      'CJK UTF-16 without a mark (too few NULs to tell)',
      Buffer.from('\u4e2d\u6587\u0000\u6587\u5b57'.repeat(50), 'utf16le'),
      { kind: 'unsupported', format: 'binary' },
    ],
    [
      'NULs without a UTF-16 pattern',
      Buffer.from([0x41, 0, 0, 0x42, 0x43, 0x44, 0, 0x45]),
      { kind: 'unsupported', format: 'binary' },
    ],
    [
      'Hive rows (\\x01 \\x02 \\x03 delimiters)',
      Buffer.from('jo\x01536-90-4399\x01a\x03b\x02c\x03d\n'.repeat(40)),
      { kind: 'text' },
    ],
    [
      'FIX messages (SOH)',
      Buffer.from('8=FIX.4.2\x019=65\x0135=A\x0149=SERVER\x0156=CLIENT\x0110=062\x01'.repeat(20)),
      { kind: 'text' },
    ],
    ['record and unit separators', Buffer.from('jo\x1f536-90-4399\x1e'.repeat(40)), { kind: 'text' }],
    [
      'more than 1 % of other control bytes',
      Buffer.from(`${text.slice(0, 200)}\x05\x06\x07`),
      { kind: 'unsupported', format: 'binary' },
    ],
  ])('%s', (_name, head, expected) => {
    expect(sniff(head)).toEqual(expected);
  });
});
