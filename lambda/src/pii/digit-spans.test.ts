import type { Match } from './detectors';
import { classifySpan, classifySpanByGroups } from './digit-spans';
import { PATTERNS } from './patterns';
import { seeded } from './seeded.test-support';
import { luhnValid } from './validators';

/** Every digit span the candidate pattern finds in `text`, with what `classify` reports in it. */
function judged(
  text: string,
  classify: typeof classifySpan,
): { span: string; findings: (Match & { value: string })[] }[] {
  const re = new RegExp(PATTERNS.candidates);
  return [...text.matchAll(re)]
    .filter((m) => /[0-9]/.test(m[0][0] ?? ''))
    .map((m) => {
      const findings: (Match & { value: string })[] = [];
      classify(text, m.index, m.index + m[0].length, (match) =>
        findings.push({ ...match, value: text.slice(match.start, match.end) }),
      );
      return { span: m[0], findings };
    });
}

function findingsIn(text: string): { type: string; value: string; masked: string }[] {
  return judged(text, classifySpan).flatMap((s) =>
    s.findings.map(({ type, value, masked }) => ({ type, value, masked })),
  );
}

describe('a card number in four groups of four', () => {
  it('is reported when Luhn and a brand agree, with a space or a hyphen between groups', () => {
    expect(findingsIn('paid with 4111 1111 1111 1111 today')).toEqual([
      { type: 'payment-card', value: '4111 1111 1111 1111', masked: '************1111' },
    ]);
    expect(findingsIn('card=5555-5555-5555-4444;')).toEqual([
      { type: 'payment-card', value: '5555-5555-5555-4444', masked: '************4444' },
    ]);
  });

  it('is not reported when Luhn fails, no brand issues it, or the separators differ', () => {
    expect(findingsIn('paid with 4111 1111 1111 1112 today')).toEqual([]);
    // Luhn-valid, but no major brand starts with 9.
    expect(findingsIn('ref 9111 1111 1111 1113')).toEqual([]);
    expect(findingsIn('paid with 4111 1111-1111 1111 today')).toEqual([]);
    expect(findingsIn('paid with 4111.1111.1111.1111 today')).toEqual([]);
  });

  it('is not reported as part of a token', () => {
    expect(findingsIn('id 4111 1111 1111 1111x')).toEqual([]);
  });
});

describe('an SSN shaped ddd-dd-dddd', () => {
  it('is reported in the SSA ranges, with hyphens or spaces', () => {
    expect(findingsIn('ssn 536-90-4399.')).toEqual([
      { type: 'us-ssn', value: '536-90-4399', masked: '***-**-4399' },
    ]);
    expect(findingsIn('ssn 536 90 4399.')).toEqual([
      { type: 'us-ssn', value: '536 90 4399', masked: '***-**-4399' },
    ]);
  });

  it('is not reported outside the ranges, when published, or with mixed separators', () => {
    for (const refused of [
      '000-12-3456',
      '666-12-3456',
      '900-12-3456',
      '536-00-4399',
      '536-90-0000',
      '078-05-1120',
    ])
      expect({ refused, findings: findingsIn(`ssn ${refused}`) }).toEqual({ refused, findings: [] });
    expect(findingsIn('ssn 536-90 4399')).toEqual([]);
  });

  it('after a +, is an international phone number instead', () => {
    expect(findingsIn('call +536-90-4399')).toEqual([
      { type: 'phone', value: '+536-90-4399', masked: '+*****4399' },
    ]);
  });
});

describe('a NANP number shaped (ddd) ddd-dddd', () => {
  it('is reported from its opening parenthesis, with or without the space, the line after - . or a space', () => {
    expect(findingsIn('tel (415) 555-2671')).toEqual([
      { type: 'phone', value: '(415) 555-2671', masked: '***-***-2671' },
    ]);
    expect(findingsIn('tel (415)555.2671')).toEqual([
      { type: 'phone', value: '(415)555.2671', masked: '***-***-2671' },
    ]);
    expect(findingsIn('tel (415) 555 2671')).toEqual([
      { type: 'phone', value: '(415) 555 2671', masked: '***-***-2671' },
    ]);
  });

  it('is not reported for an N11 or 0/1-leading area or exchange, 555-01xx, or without the opening parenthesis', () => {
    for (const refused of [
      '(411) 555-2671',
      '(115) 555-2671',
      '(415) 155-2671',
      '(415) 911-2671',
      '(415) 555-0123',
    ])
      expect({ refused, findings: findingsIn(`tel ${refused}`) }).toEqual({ refused, findings: [] });
    expect(findingsIn('tel 415) 555-2671')).toEqual([]);
  });
});

// ---------------------------------------------------------------- both routes agree

/**
 * Spans near the shapes the first judge reports whole (a card in four groups, an SSN, `(ddd)
 * ddd-dddd`, one run of digits), on both sides of every rule, and shapes that only look like them.
 */
function generatedSpan(random: () => number): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const digits = (n: number) => Array.from({ length: n }, () => Math.floor(random() * 10)).join('');
  const digit = (from: number, to: number) => String(from + Math.floor(random() * (to - from + 1)));

  const card = () => {
    const prefix = pick([
      '4',
      '51',
      '55',
      '2221',
      '2720',
      '34',
      '37',
      '6011',
      '65',
      '644',
      '3528',
      '36',
      '62',
      '1',
      '9',
      '0',
    ]);
    const body = prefix + digits(15 - prefix.length);
    const withCheck = (d: number) => body + d;
    const valid = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map(withCheck).find(luhnValid) ?? `${body}0`;
    const number = random() < 0.5 ? valid : withCheck(Math.floor(random() * 10));
    const groups = [number.slice(0, 4), number.slice(4, 8), number.slice(8, 12), number.slice(12)];
    const r = random();
    if (r < 0.7) return groups.join(pick([' ', '-', ' ', '-', '.', '  ', '--', ' -', ')']));
    if (r < 0.85) return groups.map((g, k) => (k === 0 ? g : pick([' ', '-', '.']) + g)).join('');
    // Wrong group lengths: one digit moved, dropped or added.
    return pick([
      `${number.slice(0, 5)} ${number.slice(5, 8)} ${number.slice(8, 12)} ${number.slice(12)}`,
      `${number.slice(0, 4)} ${number.slice(4, 8)} ${number.slice(8, 12)} ${number.slice(12, 15)}`,
      `${groups.join(' ')}${digit(0, 9)}`,
      `${groups.join(' ')} ${digits(4)}`,
      `${number.slice(0, 4)} ${number.slice(4, 10)} ${number.slice(10, 15)}`,
    ]);
  };

  const ssn = () => {
    const area = pick([digits(3), digits(3), '000', '666', `9${digits(2)}`, '078', '219', '123']);
    const group = pick([digits(2), digits(2), '00', '05', '09', '45']);
    const serial = pick([digits(4), digits(4), '0000', '1120', '9999', '6789']);
    const sep = pick(['-', '-', ' ', ' ', '.', '--', '- ']);
    const r = random();
    if (r < 0.75) return `${area}${sep}${group}${sep}${serial}`;
    if (r < 0.85) return `${area}${sep}${group}${pick(['-', ' ', '.'])}${serial}`;
    // Wrong group lengths and longer runs.
    return pick([
      `${area}${sep}${group}${sep}${serial}${sep}${digits(2)}`,
      `${area}${sep}${group}${serial.slice(0, 3)}`,
      `${area}${digit(0, 9)}${sep}${group}${sep}${serial}`,
      `${area}${sep}${group}${sep}${serial}${digit(0, 9)}`,
      `${area}${group}${serial}`,
    ]);
  };

  const nanp = () => {
    const area = pick([digit(2, 9) + digits(2), digit(2, 9) + digits(2), '411', '911', '015', '115', '415']);
    const exchange = pick([
      digit(2, 9) + digits(2),
      digit(2, 9) + digits(2),
      '555',
      '555',
      '011',
      '211',
      '150',
    ]);
    const line = pick([digits(4), digits(4), '0123', '0199', '0200', '2671']);
    const sep = pick(['-', '.', ' ']);
    return pick([
      `(${area}) ${exchange}${sep}${line}`,
      `(${area}) ${exchange}${sep}${line}`,
      `(${area})${exchange}${sep}${line}`,
      `(${area})  ${exchange}${sep}${line}`,
      `(${area}) ${exchange}${pick(['-', '.', ' '])}${line}`,
      `(${area})-${exchange}${sep}${line}`,
      `(${area}) ${exchange}${sep}${line}${sep}${digits(2)}`,
      `(${area}) ${exchange}${sep}${line.slice(0, 3)}`,
      `${area}) ${exchange}${sep}${line}`,
      `${area}${sep}${exchange}${sep}${line}`,
      `1${sep}${area}${sep}${exchange}${sep}${line}`,
      `1 (${area}) ${exchange}${sep}${line}`,
    ]);
  };

  const run = () => {
    const r = random();
    // A card number with a brand's prefix, without its separators.
    if (r < 0.4) return card().replace(/[^0-9]/g, '');
    // E.164 after a `+`: a NANP number after a 1, or any length around 8–15.
    if (r < 0.6)
      return `1${nanp()
        .replace(/[^0-9]/g, '')
        .slice(-10)}`;
    // A routing number's prefix (or not), and a check digit that passes 3-7-1 half of the time.
    if (r < 0.75) {
      const body = pick(['0', '1', '2', '3', '6', '7', '8', '9']) + digit(0, 9) + digits(6);
      const weights = [3, 7, 1, 3, 7, 1, 3, 7];
      const sum = [...body].reduce((total, d, k) => total + Number(d) * (weights[k] as number), 0);
      return body + (random() < 0.5 ? String((10 - (sum % 10)) % 10) : digit(0, 9));
    }
    return digits(9 + Math.floor(random() * 12));
  };

  const before = pick([
    '',
    ' ',
    ' ',
    '(',
    '+',
    '+1 ',
    'x',
    'A',
    '_',
    'ssn ',
    'SSN: ',
    'social security number ',
    'Soc Sec ',
    'ss#',
    'xssn ',
    '7ssn ',
    'ssn 12 ',
    `ssn ${'-'.repeat(30)}`,
    'routing ',
    'Routing no. ',
    'ABA ',
    'rtn=',
    'transit ',
    'routings ',
    'abacus ',
    'tel ',
    '=',
    '1',
    '-',
    '.',
  ]);
  const after = pick(['', ' ', ' ', 'x', 'Z', '_', '.', ',', ')', '-', '\n', '0', ' 12', '-1']);
  const span = pick([card, ssn, nanp, run])();
  return `${before}${span}${after}`;
}

describe('the first judge (WebAssembly) and the general route (JavaScript)', () => {
  it('report the same findings (type, offsets, mask) in 20,000 generated spans', () => {
    const random = seeded(17);
    const shapes = { card: 0, ssn: 0, nanp: 0, run: 0 };
    const reported = { card: 0, ssn: 0, nanp: 0, run: 0 };
    let spans = 0;
    for (let k = 0; k < 20_000; k++) {
      const text = `log ${generatedSpan(random)} end`;
      const inPlace = judged(text, classifySpan);
      expect({ text, findings: inPlace }).toEqual({ text, findings: judged(text, classifySpanByGroups) });
      for (const { span, findings } of inPlace) {
        spans++;
        const shape = /^[0-9]{4}([ -])[0-9]{4}\1[0-9]{4}\1[0-9]{4}$/.test(span)
          ? 'card'
          : /^[0-9]{3}([ -])[0-9]{2}\1[0-9]{4}$/.test(span)
            ? 'ssn'
            : /^[0-9]{3}\) ?[0-9]{3}[-. ][0-9]{4}$/.test(span)
              ? 'nanp'
              : /^[0-9]+$/.test(span)
                ? 'run'
                : undefined;
        if (shape === undefined) continue;
        shapes[shape]++;
        if (findings.length > 0) reported[shape]++;
      }
    }
    // The inputs exercise each shape on both sides of its rules.
    expect(spans).toBeGreaterThan(15_000);
    for (const shape of ['card', 'ssn', 'nanp', 'run'] as const) {
      expect({ shape, reported: reported[shape] > 200 }).toEqual({ shape, reported: true });
      expect({ shape, refused: shapes[shape] - reported[shape] > 200 }).toEqual({ shape, refused: true });
    }
  });
});
