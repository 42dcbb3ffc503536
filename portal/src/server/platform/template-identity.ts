import { createHash } from 'node:crypto';

/** What a deployed template body says of the stack: its hash and its resources per type. */
export interface TemplateIdentity {
  /** SHA-256 (hex) of the body exactly as stored (GetTemplate's TemplateBody, the played stack's file). */
  readonly sha256: string;
  /** Resources per CloudFormation type; undefined when the body is not JSON (a YAML template). */
  readonly resourceTypes: Readonly<Record<string, number>> | undefined;
}

/** Hashes the body as given (no re-serialization: the same bytes give the same hash anywhere). */
export function templateIdentity(body: string): TemplateIdentity {
  const sha256 = createHash('sha256').update(body, 'utf8').digest('hex');
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { sha256, resourceTypes: undefined };
  }
  const resources =
    typeof parsed === 'object' && parsed !== null
      ? (parsed as { Resources?: Record<string, { Type?: unknown }> }).Resources
      : undefined;
  const resourceTypes: Record<string, number> = {};
  for (const resource of Object.values(resources ?? {})) {
    const type = typeof resource?.Type === 'string' ? resource.Type : 'unknown';
    resourceTypes[type] = (resourceTypes[type] ?? 0) + 1;
  }
  return { sha256, resourceTypes };
}
