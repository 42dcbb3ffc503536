/**
 * Content sniffing on the first bytes: gzip is decompressed, known binary formats and
 * encodings the ASCII detectors cannot read are reported as unsupported instead of being
 * scanned as garbage (which would "find nothing" and look clean).
 */

export type Sniffed =
  | { readonly kind: 'text' }
  | { readonly kind: 'gzip' }
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
  { bytes: [0xff, 0xfe], format: 'utf-16le' },
  { bytes: [0xfe, 0xff], format: 'utf-16be' },
];

const GZIP = [0x1f, 0x8b];

function startsWith(head: Uint8Array, bytes: readonly number[]): boolean {
  return head.length >= bytes.length && bytes.every((b, i) => head[i] === b);
}

/** Control bytes that do not occur in text (tab, LF, FF, CR and ESC do). */
function isBinaryControl(byte: number): boolean {
  return byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0c && byte !== 0x0d && byte !== 0x1b;
}

export function sniff(head: Uint8Array): Sniffed {
  if (startsWith(head, GZIP)) return { kind: 'gzip' };
  for (const magic of MAGIC)
    if (startsWith(head, magic.bytes)) return { kind: 'unsupported', format: magic.format };
  let controls = 0;
  for (const byte of head) {
    if (byte === 0) return { kind: 'unsupported', format: 'binary' };
    if (isBinaryControl(byte)) controls++;
  }
  return controls * 100 > head.length ? { kind: 'unsupported', format: 'binary' } : { kind: 'text' };
}
