/**
 * `pii-scanner` → `PiiScanner`, `data` → `Data`: construct IDs and statement IDs built from
 * kebab-case names. Logical IDs derive from these, so the output must stay stable.
 */
export function pascal(value: string): string {
  return value
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part.length > 0)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
