import { candidateSearch, SPAN_INTS, VERDICTS } from './candidates';
import { classifySpanByGroups } from './digit-spans';
import { LABELLED_CORPUS } from './fixtures/labelled-corpus';
import { PATTERNS } from './patterns';
import { scanText } from './scanner';
import { seeded } from './seeded.test-support';
import { PII_TYPES, type PiiType } from './types';
import { ibanValid } from './validators';

function found(text: string): { type: PiiType; value: string; masked: string }[] {
  return scanText(text).types.flatMap((t) =>
    t.findings.map((f) => ({
      type: t.type,
      value: text.slice(f.offset, f.offset + f.length),
      masked: f.masked,
    })),
  );
}

describe('labelled corpus', () => {
  it('has precision and recall 1.0 for every detector', () => {
    const stats = new Map(PII_TYPES.map((type) => [type, { tp: 0, fp: 0, fn: 0 }]));
    const mistakes: string[] = [];
    for (const line of LABELLED_CORPUS) {
      const expected = line.pii.map((x) => `${x.type}:${x.value}`);
      const actual = found(line.text).map((x) => `${x.type}:${x.value}`);
      for (const item of actual) {
        const s = stats.get(item.split(':')[0] as PiiType);
        if (!s) continue;
        if (expected.includes(item)) s.tp++;
        else {
          s.fp++;
          mistakes.push(`false positive ${item} in "${line.text}"`);
        }
      }
      for (const item of expected) {
        if (!actual.includes(item)) {
          const s = stats.get(item.split(':')[0] as PiiType);
          if (s) s.fn++;
          mistakes.push(`missed ${item} in "${line.text}"`);
        }
      }
    }
    const rows = [...stats].map(([type, s]) => {
      const precision = s.tp + s.fp === 0 ? 1 : s.tp / (s.tp + s.fp);
      const recall = s.tp + s.fn === 0 ? 1 : s.tp / (s.tp + s.fn);
      return { type, truePositives: s.tp, falsePositives: s.fp, falseNegatives: s.fn, precision, recall };
    });
    const totals = rows.reduce(
      (a, r) => ({ tp: a.tp + r.truePositives, fp: a.fp + r.falsePositives, fn: a.fn + r.falseNegatives }),
      { tp: 0, fp: 0, fn: 0 },
    );
    console.log(
      `labelled corpus: ${LABELLED_CORPUS.length} lines, precision ${(totals.tp / (totals.tp + totals.fp)).toFixed(3)}, recall ${(totals.tp / (totals.tp + totals.fn)).toFixed(3)}\n${rows
        .map(
          (r) =>
            `  ${r.type.padEnd(18)} tp=${r.truePositives} fp=${r.falsePositives} fn=${r.falseNegatives} precision=${r.precision.toFixed(3)} recall=${r.recall.toFixed(3)}`,
        )
        .join('\n')}`,
    );
    expect(mistakes).toEqual([]);
    for (const r of rows) {
      expect(r.truePositives).toBeGreaterThan(0);
      expect(r.precision).toBe(1);
      expect(r.recall).toBe(1);
    }
  });
});

describe('masked forms', () => {
  it.each([
    ['4111 1111 1111 1111', '************1111'],
    ['SSN 536-90-4399', '***-**-4399'],
    ['GB82 WEST 1234 5698 7654 32', 'GB****************5432'],
    ['routing 021000021', '*****0021'],
    ['jane.doe@example.com', 'j***@e***.com'],
    ['(415) 555-2671', '***-***-2671'],
    ['+44 20 7946 0958', '+********0958'],
    ['AKIAIOSFODNN7EXAMPLE', 'AKIA************MPLE'],
  ])('%s → %s', (text, masked) => {
    expect(found(text).map((f) => f.masked)).toEqual([masked]);
  });

  it('never puts a raw value in the result', () => {
    for (const line of LABELLED_CORPUS) {
      const serialised = JSON.stringify(scanText(line.text));
      for (const { value } of line.pii) expect(serialised).not.toContain(value);
    }
  });
});

describe('offsets', () => {
  it('are UTF-8 byte offsets', () => {
    const text = 'café ☕ 536-90-4399';
    const [finding] = scanText(text).types[0]?.findings ?? [];
    expect(finding?.offset).toBe(Buffer.byteLength('café ☕ ', 'utf8'));
    expect(finding?.length).toBe(11);
  });
});

/** Random text dense in digits, separators, capitals and planted PII-shaped fragments. */
function noisyText(random: () => number, length: number): string {
  const alphabet = '0123456789012345678901234567890123456789 .()-  ..--+ABGZKSIEWTaxz_@/,:\n';
  const fragments = [
    '536-90-4399',
    '900-12-1234',
    '123 00 4567',
    '(415) 555-2671',
    '+44 20 7946 0958',
    '+1 415 555 2671',
    '1.415.555.2671',
    'routing 021000021',
    'ssn 536904399',
    'GB82 WEST 1234 5698 7654 32',
    'GB82WEST12345698765432',
    'AKIAIOSFODNN7EXAMPLE',
    '4111 1111 1111 1111',
    '4111-1111-1111-1111',
    '4111111111111111',
    '3782 822463 10005',
    '10.1.2.3',
    '1741834989572',
  ];
  const digits = (n: number) => Array.from({ length: n }, () => Math.floor(random() * 10)).join('');
  let text = '';
  while (text.length < length) {
    const r = random();
    if (r < 0.03) text += fragments[Math.floor(random() * fragments.length)];
    // SSN-shaped, any area/group/serial (the screen judges their ranges itself).
    else if (r < 0.05) text += `${digits(3)}${random() < 0.5 ? '-' : ' '}${digits(2)}-${digits(4)}`;
    else text += alphabet[Math.floor(random() * alphabet.length)];
  }
  return text;
}

/**
 * The candidate pass as JavaScript ran it: `PATTERNS.candidates` from `from`, matches starting
 * before `limit`; an IBAN-shaped match checked (`ibanValid`), searched again after its two
 * letters when it is not one. Every digit span and valid IBAN, and where the pass resumes.
 */
function candidatesByPattern(text: string, from: number, limit: number): { found: string[]; resume: number } {
  const re = new RegExp(PATTERNS.candidates);
  re.lastIndex = from;
  let resume = from;
  const found: string[] = [];
  for (let m = re.exec(text); m !== null && m.index < limit; m = re.exec(text)) {
    const start = m.index;
    const end = re.lastIndex;
    if (/[0-9]/.test(text[start] ?? '')) {
      found.push(`${start}-${end} digits`);
      resume = end;
    } else if (ibanValid(text.slice(start, end).replaceAll(' ', ''))) {
      found.push(`${start}-${end} iban`);
      resume = end;
    } else re.lastIndex = start + 2;
  }
  return { found, resume };
}

/** The same, from the WebAssembly search (every digit span kept, unjudged). */
function candidatesByScan(text: string, from: number, limit: number): { found: string[]; resume: number } {
  const scanned = candidateSearch.scan(text, from, limit, true);
  const found: string[] = [];
  for (let k = 0; k < scanned.count * SPAN_INTS; k += SPAN_INTS) {
    const kind = scanned.found[k + 2] === VERDICTS.iban ? 'iban' : 'digits';
    found.push(`${scanned.found[k]}-${scanned.found[k + 1]} ${kind}`);
  }
  return { found, resume: scanned.resume };
}

/** Text dense in IBAN shapes: valid, mistyped, lower case, glued, run on into digits or letters. */
function ibanText(random: () => number, length: number): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const ibans = [
    'GB82WEST12345698765432',
    'DE89370400440532013000',
    'FR1420041010050500013M02606',
    'NO9386011117947',
    'BE68539007547034',
    'MT84MALT011000012345MTLCAST001S',
    'LC55HEMM000100010012001200023015',
    'RU0204452560040702810412345678901',
  ];
  let text = '';
  while (text.length < length) {
    let iban = pick(ibans);
    if (random() < 0.3) iban = `${iban.slice(0, -1)}${random() < 0.5 ? '0' : 'A'}`;
    const grouped = random() < 0.5 ? (iban.match(/.{1,4}/g) ?? []).join(pick([' ', ' ', '  ', '-'])) : iban;
    const before = pick(['', ' ', 'x', '_', '1', '(', 'IBAN:', '\n']);
    const after = pick([
      '',
      ' ',
      ' 12',
      ' 1234 5678 9012',
      'a',
      'Z',
      '9',
      '.',
      ' AB',
      ' ABCD',
      '12345',
      ' 123456789',
      '-4111',
    ]);
    text += before + (random() < 0.1 ? grouped.toLowerCase() : grouped) + after + pick([' ', '\n', '']);
  }
  return text;
}

describe('the candidate search in WebAssembly', () => {
  it('finds exactly the spans and IBANs the pattern finds, and resumes where the pattern pass resumed', () => {
    const random = seeded(31);
    const long = `${'1 '.repeat(70)}x ${'9'.repeat(150)} ${'12-'.repeat(40)} ${'4-'.repeat(100)}`;
    const texts = [
      long,
      'GB82 WEST 1234 5698 7654 32X',
      'GB82 WEST 1234 5698 7654 3 2',
      '123456789',
      ...Array.from({ length: 1500 }, () => noisyText(random, 300)),
      ...Array.from({ length: 500 }, () => ibanText(random, 300)),
    ];
    let spans = 0;
    let ibans = 0;
    for (const text of texts) {
      // The whole text, and a window's slice of it.
      const from = Math.floor(random() * 40);
      const limit = text.length - Math.floor(random() * 60);
      for (const [f, l] of [
        [0, text.length],
        [from, Math.max(from, limit)],
      ] as const) {
        const expected = candidatesByPattern(text, f, l);
        expect({ text, f, l, ...candidatesByScan(text, f, l) }).toEqual({ text, f, l, ...expected });
        spans += expected.found.filter((x) => x.endsWith('digits')).length;
        ibans += expected.found.filter((x) => x.endsWith('iban')).length;
      }
    }
    // The inputs exercise both alternatives.
    expect(spans).toBeGreaterThan(10_000);
    expect(ibans).toBeGreaterThan(500);
  });
});

describe('candidate pattern', () => {
  // The specification: the written-out form in PATTERNS must match exactly the same strings.
  const counted =
    /\b(?:[0-9](?:[ .()-]{0,2}[0-9]){8,63}|[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b)/g;

  it('matches what the counted form matches', () => {
    const random = seeded(7);
    const long = `${'1 '.repeat(70)}x ${'9'.repeat(150)} ${'12-'.repeat(40)}`;
    for (const text of [long, ...Array.from({ length: 2000 }, () => noisyText(random, 300))]) {
      const actual = [...text.matchAll(new RegExp(PATTERNS.candidates))].map((m) => `${m.index}:${m[0]}`);
      const expected = [...text.matchAll(counted)].map((m) => `${m.index}:${m[0]}`);
      expect(actual).toEqual(expected);
    }
  });
});

describe('the first judge of digit spans', () => {
  it('drops only spans the general route reports nothing in', () => {
    const random = seeded(11);
    let screened = 0;
    let reported = 0;
    for (let k = 0; k < 3000; k++) {
      const text = noisyText(random, 200);
      const re = new RegExp(PATTERNS.candidates);
      for (const m of text.matchAll(re)) {
        const start = m.index;
        const end = start + m[0].length;
        if (/[A-Z]/.test(m[0][0] ?? '')) continue;
        const found: string[] = [];
        classifySpanByGroups(text, start, end, (match) => found.push(match.type));
        reported += found.length;
        if (candidateSearch.judgeSpan(text, start, end) === undefined) {
          screened++;
          expect({ span: m[0], found }).toEqual({ span: m[0], found: [] });
        }
      }
    }
    // The inputs exercise both sides.
    expect(screened).toBeGreaterThan(1000);
    expect(reported).toBeGreaterThan(1000);
  });
});

describe('access key anchoring', () => {
  it('finds exactly what the global regex finds', () => {
    const random = seeded(13);
    const pieces = ['AKIA', 'ASIA', 'IA', 'AKIAIOSFODNN7EXAMPLE', 'ASIAY34FZKBOKMUTVV7A', 'Q', ' ', '2', '_'];
    for (let k = 0; k < 2000; k++) {
      let text = '';
      while (text.length < 120) text += pieces[Math.floor(random() * pieces.length)];
      const expected = [...text.matchAll(/\b(?:AKIA|ASIA)[A-Z2-7]{16}\b/g)].map((m) => m.index);
      const actual = (
        scanText(text, { maxFindingsPerType: 1000 }).types.find((t) => t.type === 'aws-access-key-id')
          ?.findings ?? []
      ).map((f) => f.offset);
      expect(actual).toEqual(expected);
    }
  });
});
