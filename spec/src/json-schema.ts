import { z } from 'zod';
import { environmentSpecSchema } from './environment-spec';

/**
 * The JSON Schema of what a caller may send (defaults not yet applied), for
 * automation that validates before it calls the portal API. Cross-field rules
 * (reserved words for ephemeral, ttlHours only on ephemeral) are not
 * expressible here and are enforced by the API.
 */
export function environmentSpecJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(environmentSpecSchema, { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
}
