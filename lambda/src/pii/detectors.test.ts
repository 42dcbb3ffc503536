import { judgeSpan } from './digit-judge';
import { classifySpanByGroups } from './digit-spans';
import { LABELLED_CORPUS } from './fixtures/labelled-corpus';
import { PATTERNS } from './patterns';
import { scanText } from './scanner';
import { seeded } from './seeded.test-support';
import { PII_TYPES, type PiiType } from './types';

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
        if (judgeSpan(text, start, end) === undefined) {
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
