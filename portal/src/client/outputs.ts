import type { StackOutput } from '../server/domain/types';

/**
 * The outputs people look for first, matched on the output key: the API URL,
 * the API key ID, the data bucket, the KMS key ARNs. Others follow by key.
 */
const PRIORITY = [
  /api.*url/i,
  /api.*key.*id/i,
  /bucket/i,
  /kms|key.*arn/i,
  /topic/i,
  /table/i,
  /vpc|subnet/i,
];

function rank(key: string): number {
  const index = PRIORITY.findIndex((pattern) => pattern.test(key));
  return index === -1 ? PRIORITY.length : index;
}

/** Outputs in reading order: the important ones first, then alphabetical. */
export function orderOutputs(outputs: readonly StackOutput[]): StackOutput[] {
  return [...outputs].sort((a, b) => rank(a.key) - rank(b.key) || a.key.localeCompare(b.key));
}

/** Words that are acronyms in AWS's own writing. */
const ACRONYMS = new Set([
  'api',
  'url',
  'id',
  'arn',
  'kms',
  'vpc',
  'sns',
  'sqs',
  'waf',
  'acl',
  'ssm',
  'dns',
  'az',
]);

/** "ApiUrl" → "API URL", "DataKeyArn" → "Data key ARN": a readable label from a CloudFormation output key. */
export function outputLabel(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .trim()
    .split(/\s+/);
  return words
    .map((word, index) => {
      const lower = word.toLowerCase();
      if (ACRONYMS.has(lower)) return lower.toUpperCase();
      return index === 0 ? word : lower;
    })
    .join(' ');
}

/**
 * Splits a value after each separator of ARNs, URLs and names (`/ : . - _ ? & =` and `,`), so the
 * page can let it wrap there and nowhere else. Joined again, the parts are the value.
 */
export function breakableParts(value: string): string[] {
  return value.split(/(?<=[/:.\-_?&=,])/).filter((part) => part.length > 0);
}
