/** Masked forms: enough to recognise an item (last four), never enough to use it. */

function stars(count: number): string {
  return '*'.repeat(Math.max(0, count));
}

/** Keeps the last four digits: `************1111`. */
export function maskDigits(digits: string, keep = 4): string {
  return stars(digits.length - keep) + digits.slice(-keep);
}

export function maskSsn(digits: string): string {
  return `***-**-${digits.slice(-4)}`;
}

/** Country code and last four: `GB****************5432`. */
export function maskIban(compact: string): string {
  return compact.slice(0, 2) + stars(compact.length - 6) + compact.slice(-4);
}

/** First character of the local part and of the domain, and the top-level domain: `j***@e***.com`. */
export function maskEmail(local: string, domain: string): string {
  const tldStart = domain.lastIndexOf('.');
  return `${local.slice(0, 1)}***@${domain.slice(0, 1)}***${domain.slice(tldStart)}`;
}

/** The key type prefix (AKIA/ASIA) and the last four. */
export function maskAccessKeyId(id: string): string {
  return id.slice(0, 4) + stars(id.length - 8) + id.slice(-4);
}
