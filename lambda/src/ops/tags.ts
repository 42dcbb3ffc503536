/**
 * The tag that scopes every operations handler to its own environment (SPEC section 4:
 * every resource carries `Environment=<suffix>`). Handlers read the tag from the resource
 * itself before acting, never from the triggering event, which may be stale or forged.
 */
export const ENVIRONMENT_TAG_KEY = 'Environment';

export interface TagPair {
  readonly key: string;
  readonly value: string;
}

/** Tags arrive as `[{Key,Value}]`, `[{key,value}]` or `{key: value}` depending on the API: one shape here. */
export function normalizeTags(tags: unknown): TagPair[] {
  if (Array.isArray(tags)) {
    const pairs: TagPair[] = [];
    for (const tag of tags) {
      if (typeof tag !== 'object' || tag === null) continue;
      const record = tag as Record<string, unknown>;
      const key = record.Key ?? record.key;
      const value = record.Value ?? record.value;
      if (typeof key === 'string' && typeof value === 'string') pairs.push({ key, value });
    }
    return pairs;
  }
  if (typeof tags === 'object' && tags !== null) {
    return Object.entries(tags as Record<string, unknown>)
      .filter((entry): entry is [string, string] => typeof entry[1] === 'string')
      .map(([key, value]) => ({ key, value }));
  }
  return [];
}

/** True only when the `Environment` tag is present and equals the suffix exactly (case-sensitive). */
export function belongsToEnvironment(tags: unknown, environmentSuffix: string): boolean {
  return normalizeTags(tags).some(
    (tag) => tag.key === ENVIRONMENT_TAG_KEY && tag.value === environmentSuffix,
  );
}

/** The value of the `Environment` tag, for audit details when a resource is refused. */
export function environmentTagValue(tags: unknown): string | null {
  return normalizeTags(tags).find((tag) => tag.key === ENVIRONMENT_TAG_KEY)?.value ?? null;
}
