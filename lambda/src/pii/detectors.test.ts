import { LABELLED_CORPUS } from './fixtures/labelled-corpus';
import { scanText } from './scanner';
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
