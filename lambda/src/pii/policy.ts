import type { DataClassification } from '@sep/spec';
import type { PiiType } from './types';

/**
 * Which PII an environment's `dataClassification` may hold. Anything else found in its
 * data raises an alert:
 * - public, internal: no PII at all (public data is publishable; internal data is shared
 *   company-wide and must not carry customer records).
 * - confidential: customer PII may be stored, but not payment card numbers (PCI DSS scope
 *   belongs in restricted environments only).
 * - restricted: every kind of customer PII, cards included.
 * AWS access key IDs are never allowed anywhere: credentials do not belong in data.
 */
export const ALLOWED_PII: Readonly<Record<DataClassification, readonly PiiType[]>> = {
  public: [],
  internal: [],
  confidential: ['us-ssn', 'iban', 'aba-routing', 'email', 'phone'],
  restricted: ['payment-card', 'us-ssn', 'iban', 'aba-routing', 'email', 'phone'],
};

/** The found types this classification does not allow. */
export function disallowedTypes(classification: DataClassification, found: readonly PiiType[]): PiiType[] {
  const allowed = new Set(ALLOWED_PII[classification]);
  return found.filter((type) => !allowed.has(type));
}
