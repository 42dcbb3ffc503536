// Content address of a synthesized CloudFormation template, shared by the pipeline's synth (which
// publishes a record per template) and the portal (which hashes what `GetTemplate` returns to find
// it). No aws-cdk-lib: the portal imports this module.
import { createHash } from 'node:crypto';
import { NAG_REPORTS_PREFIX } from './names';

type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };

function sortKeys(value: Json): Json {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const object = value as { readonly [key: string]: Json };
    return Object.fromEntries(
      Object.keys(object)
        .sort()
        .map((key) => [key, sortKeys(object[key] as Json)]),
    );
  }
  return value;
}

/**
 * One serialization per template: `GetTemplate` returns the template CloudFormation stored, whose
 * whitespace and key order need not match the synth's file, so both sides hash this form.
 */
export function canonicalTemplate(template: string | object): string {
  const parsed = (typeof template === 'string' ? JSON.parse(template) : template) as Json;
  return JSON.stringify(sortKeys(parsed));
}

/** sha256 (hex) of the template's canonical form. */
export function templateHash(template: string | object): string {
  return createHash('sha256').update(canonicalTemplate(template)).digest('hex');
}

/**
 * Object key of the record (nag report, spec, stack, suffix, revision) the synth publishes for a
 * template. Content-addressed: written once per hash, never overwritten with other content.
 */
export function templateRecordKey(hash: string): string {
  return `${NAG_REPORTS_PREFIX}by-template/${hash}.json`;
}

/**
 * What the synth publishes under `templateRecordKey(templateHash(template))`: the cdk-nag report of the
 * synth that produced the template and what it was synthesized from. The portal hashes the template
 * CloudFormation runs (`GetTemplate`) to find the report and spec it came from.
 */
export interface TemplateRecord {
  readonly nagReport: unknown;
  /** The environment spec the stage was synthesized from (the registry export's entry). */
  readonly spec?: unknown;
  readonly stackName: string;
  readonly environmentSuffix: string;
  readonly sourceRevision?: string;
}
