/**
 * Content sniffing on the first bytes: gzip is decompressed and UTF-16 decoded, known binary
 * formats and encodings the ASCII detectors cannot read are reported as unsupported instead of
 * being scanned as garbage (which would "find nothing" and look clean).
 */

export type Utf16Encoding = 'utf-16le' | 'utf-16be';

export type Sniffed =
  | { readonly kind: 'text' }
  | { readonly kind: 'gzip' }
  | { readonly kind: 'utf-16'; readonly encoding: Utf16Encoding }
  | { readonly kind: 'unsupported'; readonly format: string };

const MAGIC: readonly { readonly bytes: readonly number[]; readonly format: string }[] = [
  { bytes: [0x25, 0x50, 0x44, 0x46], format: 'pdf' },
  { bytes: [0x50, 0x4b, 0x03, 0x04], format: 'zip' },
  { bytes: [0x89, 0x50, 0x4e, 0x47], format: 'png' },
  { bytes: [0xff, 0xd8, 0xff], format: 'jpeg' },
  { bytes: [0x47, 0x49, 0x46, 0x38], format: 'gif' },
  { bytes: [0x42, 0x5a, 0x68], format: 'bzip2' },
  { bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a], format: 'xz' },
  { bytes: [0x28, 0xb5, 0x2f, 0xfd], format: 'zstd' },
  { bytes: [0x37, 0x7a, 0xbc, 0xaf], format: '7z' },
  { bytes: [0x52, 0x61, 0x72, 0x21], format: 'rar' },
  { bytes: [0x7f, 0x45, 0x4c, 0x46], format: 'elf' },
  { bytes: [0x50, 0x41, 0x52, 0x31], format: 'parquet' },
  { bytes: [0x53, 0x51, 0x4c, 0x69, 0x74, 0x65], format: 'sqlite' },
  // Before the UTF-16 byte order marks: the UTF-32LE mark starts with the UTF-16LE one.
  { bytes: [0xff, 0xfe, 0x00, 0x00], format: 'utf-32le' },
  { bytes: [0x00, 0x00, 0xfe, 0xff], format: 'utf-32be' },
];

export const GZIP_MAGIC: readonly number[] = [0x1f, 0x8b];

const UTF16_BOMS: readonly { readonly bytes: readonly number[]; readonly encoding: Utf16Encoding }[] = [
  { bytes: [0xff, 0xfe], encoding: 'utf-16le' },
  { bytes: [0xfe, 0xff], encoding: 'utf-16be' },
];

function startsWith(head: Uint8Array, bytes: readonly number[]): boolean {
  return head.length >= bytes.length && bytes.every((b, i) => head[i] === b);
}

/**
 * 1 for the control bytes that do not occur in text, by byte. Tab, LF, VT, FF, CR and ESC do, and
 * so do the delimiters of machine-written text: SOH/STX/ETX (Hive's default field, collection and
 * map-key delimiters, FIX's field separator) and the ASCII file/group/record/unit separators
 * 0x1c–0x1f. A table read in the loop, not a helper: called for each byte of the head, a helper
 * was hot enough for V8 to compile it on its own in every fresh process.
 */
const BINARY_CONTROL = new Uint8Array(256);
for (let byte = 0; byte < 256; byte++)
  BINARY_CONTROL[byte] = (byte >= 0x04 && byte <= 0x08) || (byte >= 0x0e && byte <= 0x1a) ? 1 : 0;

/**
 * UTF-16 without a byte order mark, by its NULs: text that is mostly ASCII or Latin-1 has a zero
 * high byte in nearly every code unit and a non-zero low byte. Anything else (CJK text without a
 * mark) is left to the binary rules, which fail closed. The decoded text is sniffed again, so
 * 16-bit binary numbers that match this pattern still end up unsupported.
 */
function utf16ByNuls(head: Uint8Array): Utf16Encoding | undefined {
  const units = head.length >> 1;
  if (units < 2) return undefined;
  let evenNuls = 0;
  let oddNuls = 0;
  for (let i = 0; i + 1 < head.length; i += 2) {
    if (head[i] === 0) evenNuls++;
    if (head[i + 1] === 0) oddNuls++;
  }
  const mostly = units / 2;
  const rarely = units / 20;
  if (oddNuls >= mostly && evenNuls <= rarely) return 'utf-16le';
  if (evenNuls >= mostly && oddNuls <= rarely) return 'utf-16be';
  return undefined;
}

export function sniff(head: Uint8Array): Sniffed {
  if (startsWith(head, GZIP_MAGIC)) return { kind: 'gzip' };
  for (const magic of MAGIC)
    if (startsWith(head, magic.bytes)) return { kind: 'unsupported', format: magic.format };
  for (const bom of UTF16_BOMS)
    if (startsWith(head, bom.bytes)) return { kind: 'utf-16', encoding: bom.encoding };
  let controls = 0;
  for (const byte of head) {
    if (byte === 0) {
      const encoding = utf16ByNuls(head);
      return encoding === undefined
        ? { kind: 'unsupported', format: 'binary' }
        : { kind: 'utf-16', encoding };
    }
    controls += BINARY_CONTROL[byte] as number;
  }
  return controls * 100 > head.length ? { kind: 'unsupported', format: 'binary' } : { kind: 'text' };
}
