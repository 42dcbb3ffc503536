export { sniff } from './content';
export { LOOKAHEAD_CHARS, LOOKBEHIND_CHARS } from './detectors';
export { PATTERNS } from './patterns';
export { ALLOWED_PII, disallowedTypes } from './policy';
export {
  type ByteRangeFetcher,
  exactLength,
  type OrderedRangeStreamOptions,
  orderedRangeStream,
} from './ranged';
export { PiiScanner, type PiiScannerOptions, scanText } from './scanner';
export { type ScanStreamOptions, scanStream } from './stream';
export * from './types';
export * from './validators';
