import { once } from 'node:events';
import { createWriteStream, existsSync, statSync } from 'node:fs';

/**
 * A realistic mixed corpus for the bench: web access logs, JSON application logs, CSV
 * transactions and prose, with valid PII sprinkled in (about one item per 4 KB) and
 * near-misses (Luhn-invalid cards, invalid SSNs, order numbers, epoch timestamps, IPs,
 * version strings) much more often. Deterministic (seeded), so runs compare.
 */

/** Mulberry32: small, fast, seeded. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS =
  'the account customer payment review quarterly report team service platform request approved pending risk control policy data transfer ledger balance audit compliance update system meeting schedule invoice settlement branch office support ticket resolved escalated manager analyst portfolio market trade order client contract renewal'.split(
    ' ',
  );
const NAMES = [
  'alice',
  'bob',
  'carol',
  'dave',
  'erin',
  'frank',
  'grace',
  'heidi',
  'ivan',
  'judy',
  'mallory',
  'oscar',
];
const DOMAINS = ['example.com', 'bank.example.org', 'mail.example.net', 'corp.example.co.uk'];
const PATHS = [
  '/api/v1/orders',
  '/api/v1/accounts',
  '/login',
  '/static/app.js',
  '/health',
  '/api/v2/payments',
];

function luhnDigit(partial: string): string {
  for (let d = 0; d < 10; d++) {
    const candidate = partial + d;
    let sum = 0;
    let dbl = false;
    for (let i = candidate.length - 1; i >= 0; i--) {
      let v = candidate.charCodeAt(i) - 48;
      if (dbl) {
        v *= 2;
        if (v > 9) v -= 9;
      }
      sum += v;
      dbl = !dbl;
    }
    if (sum % 10 === 0) return String(d);
  }
  return '0';
}

export interface CorpusStats {
  bytes: number;
  validPii: number;
  nearMisses: number;
}

export class CorpusGenerator {
  private readonly random: () => number;
  readonly stats: CorpusStats = { bytes: 0, validPii: 0, nearMisses: 0 };
  /** Near-miss strings planted, sampled for the redact-pii comparison. */
  readonly nearMissSamples: string[] = [];

  constructor(seed = 42) {
    this.random = rng(seed);
  }

  private int(n: number): number {
    return Math.floor(this.random() * n);
  }

  private pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }

  private digits(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += String(this.int(10));
    return s;
  }

  private validPii(): string {
    this.stats.validPii++;
    switch (this.int(7)) {
      case 0: {
        const body = `4${this.digits(14)}`;
        const card = body + luhnDigit(body);
        return `card ${card.slice(0, 4)} ${card.slice(4, 8)} ${card.slice(8, 12)} ${card.slice(12)}`;
      }
      case 1:
        return `ssn ${100 + this.int(500)}-${10 + this.int(89)}-${1000 + this.int(8999)}`;
      case 2:
        return 'iban GB82 WEST 1234 5698 7654 32';
      case 3:
        return 'routing number 021000021';
      case 4:
        return `${this.pick(NAMES)}.${this.pick(NAMES)}@${this.pick(DOMAINS)}`;
      case 5:
        return `phone (${200 + this.int(700)}) ${200 + this.int(700)}-${1000 + this.int(8999)}`;
      default:
        return 'key AKIAIOSFODNN7EXAMPLE';
    }
  }

  private nearMiss(): string {
    this.stats.nearMisses++;
    let s: string;
    switch (this.int(4)) {
      case 0: {
        const body = `4${this.digits(14)}`;
        const good = Number(luhnDigit(body));
        s = `${body}${(good + 1 + this.int(9)) % 10}`;
        break;
      }
      case 1:
        s = `${this.pick(['000', '666', `9${this.digits(2)}`])}-${10 + this.int(89)}-${1000 + this.int(8999)}`;
        break;
      case 2:
        s = `${this.pick(['1', '7', '8', '9'])}${this.digits(15)}`;
        break;
      default:
        s = `${100 + this.int(800)}-00-${1000 + this.int(8999)}`;
    }
    if (this.nearMissSamples.length < 5000) this.nearMissSamples.push(s);
    return s;
  }

  private sprinkle(): string {
    const r = this.random();
    if (r < 0.04) return ` ${this.validPii()}`;
    if (r < 0.2) return ` ref ${this.nearMiss()}`;
    return '';
  }

  private accessLog(): string {
    const ip = `10.${this.int(255)}.${this.int(255)}.${this.int(255)}`;
    return `${ip} - - [12/Mar/2025:1${this.int(10)}:${10 + this.int(49)}:${10 + this.int(49)} +0000] "GET ${this.pick(PATHS)}/${this.int(1e7)} HTTP/1.1" ${this.pick([200, 200, 201, 404, 500])} ${this.int(90000)} "-" "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36"${this.sprinkle()}\n`;
  }

  private jsonLog(): string {
    return `${JSON.stringify({
      ts: 1741790000000 + this.int(1e8),
      level: this.pick(['info', 'info', 'warn', 'error']),
      requestId: `req-${this.digits(12)}`,
      msg: `${this.pick(WORDS)} ${this.pick(WORDS)} ${this.pick(WORDS)}${this.sprinkle()}`,
      latencyMs: this.int(2000),
      version: `2.${this.int(20)}.${this.int(100)}`,
    })}\n`;
  }

  private csv(): string {
    return `${this.int(1e6)},ORD-${this.digits(8)},2025-0${1 + this.int(9)}-${10 + this.int(18)},${(this.random() * 5000).toFixed(2)},${this.pick(['USD', 'EUR', 'GBP'])},"${this.pick(WORDS)} ${this.pick(WORDS)}${this.sprinkle()}"\n`;
  }

  private prose(): string {
    let s = '';
    const n = 15 + this.int(40);
    for (let i = 0; i < n; i++) s += `${this.pick(WORDS)} `;
    return `${s.trimEnd()}.${this.sprinkle()}\n`;
  }

  /** About `bytes` of text. */
  block(bytes: number): string {
    const lines: string[] = [];
    let size = 0;
    while (size < bytes) {
      const kind = this.int(4);
      const line =
        kind === 0 ? this.accessLog() : kind === 1 ? this.jsonLog() : kind === 2 ? this.csv() : this.prose();
      lines.push(line);
      size += line.length;
    }
    this.stats.bytes += size;
    return lines.join('');
  }
}

/** Writes (or reuses) a corpus file of at least `bytes`. */
export async function ensureCorpus(path: string, bytes: number): Promise<CorpusGenerator> {
  const generator = new CorpusGenerator();
  if (existsSync(path) && statSync(path).size >= bytes) {
    generator.block(4 * 1024 * 1024);
    return generator;
  }
  const out = createWriteStream(path);
  let written = 0;
  while (written < bytes) {
    const block = generator.block(4 * 1024 * 1024);
    written += block.length;
    if (!out.write(block)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return generator;
}
