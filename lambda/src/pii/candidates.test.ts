import { readFileSync } from 'node:fs';
import { CANDIDATES_MODULE, candidatesModuleText, compileCandidates } from '../../scripts/build-wasm';
import { candidateSearch, SPAN_INTS, VERDICTS } from './candidates';
import { seeded } from './seeded.test-support';
import { cardBrand, IBAN_LENGTHS, ibanValid, luhnValid } from './validators';

/** The verdict's name on `span` where it first occurs in `line`. */
function verdictOn(line: string, span: string): string {
  const start = line.indexOf(span);
  if (start < 0) throw new Error(`${span} is not in ${line}`);
  const verdict = candidateSearch.judgeSpan(line, start, start + span.length);
  if (verdict === undefined) return 'nothing';
  return Object.entries(VERDICTS).find(([, code]) => code === verdict)?.[0] ?? `unknown ${verdict}`;
}

/** `body` and the check digit that makes it pass Luhn. */
function withLuhnCheck(body: string): string {
  return [...'0123456789'].map((d) => body + d).find(luhnValid) as string;
}

describe('the candidate pass in WebAssembly: search, IBAN check and first judge', () => {
  it('is what lambda/wasm/candidates.ts compiles to (run `npm run build:wasm -w @sep/lambda` when not)', () => {
    expect(readFileSync(CANDIDATES_MODULE, 'utf8')).toBe(candidatesModuleText(compileCandidates()));
  });

  it.each([
    // The screen: what cannot hold PII is dropped.
    [
      'groups shorter than four digits (IP addresses, versions)',
      'ip 192.168.100.200 ok',
      '192.168.100.200',
      'nothing',
    ],
    ['ddd-dd-dddd with area 000', 'id 000-12-3456 ok', '000-12-3456', 'nothing'],
    ['ddd-dd-dddd with area 666', 'id 666-12-3456 ok', '666-12-3456', 'nothing'],
    ['ddd-dd-dddd with an area of 900 or more', 'id 912-12-3456 ok', '912-12-3456', 'nothing'],
    ['ddd-dd-dddd with group 00', 'id 123-00-4567 ok', '123-00-4567', 'nothing'],
    ['ddd-dd-dddd with serial 0000', 'id 123-45-0000 ok', '123-45-0000', 'nothing'],
    ['a voided SSN', 'id 078-05-1120 ok', '078-05-1120', 'nothing'],
    ['one run glued to a letter', 'token 4111111111111111x', '4111111111111111', 'nothing'],
    ['one run of a card length failing Luhn', 'pan 4111111111111112 ok', '4111111111111112', 'nothing'],
    ['one run passing Luhn but starting 1 (epoch millis)', 'at 1733443200121 ok', '1733443200121', 'nothing'],
    ['one run passing Luhn but starting 7', 'id 7111111111111114 ok', '7111111111111114', 'nothing'],
    ['one run of ten digits (epoch seconds)', 'at 1733443200 ok', '1733443200', 'nothing'],
    ['one run of twenty digits', 'id 41111111111111111118 ok', '41111111111111111118', 'nothing'],
    // The shapes it reports whole.
    ['one run: a card if Luhn and a brand agree', 'pan 4111111111111111 ok', '4111111111111111', 'card'],
    [
      'one run passing Luhn that no brand issues at that length',
      'pan 411111111111116 ok',
      '411111111111116',
      'nothing',
    ],
    ['four groups of four, spaces', 'pan 4111 1111 1111 1111 ok', '4111 1111 1111 1111', 'card'],
    ['four groups of four, hyphens', 'pan 5555-5555-5555-4444 ok', '5555-5555-5555-4444', 'card'],
    ['four groups of four failing Luhn', 'pan 4111 1111 1111 1112 ok', '4111 1111 1111 1112', 'nothing'],
    ['ddd-dd-dddd in the SSA ranges', 'ssn 219-09-9998 ok', '219-09-9998', 'ssn'],
    ['ddd dd dddd in the SSA ranges', 'ssn 219 09 9998 ok', '219 09 9998', 'ssn'],
    ['(ddd) ddd-dddd', 'tel (415) 555-2671 ok', '415) 555-2671', 'phoneParenthesised'],
    ['(ddd)ddd.dddd', 'tel (415)555.2671 ok', '415)555.2671', 'phoneParenthesised'],
    ['(ddd) ddd-dddd reserved for fiction', 'tel (415) 555-0123 ok', '415) 555-0123', 'nothing'],
    ['+ and 8–15 digits', 'call +442079460958 ok', '442079460958', 'phoneE164'],
    ['+ and seven digits', 'call +4420794 ok', '4420794', 'nothing'],
    ['+ and sixteen digits', 'call +4111111111111111 ok', '4111111111111111', 'nothing'],
    ['+ and a country code starting 0', 'call +042079460958 ok', '042079460958', 'nothing'],
    ['+1 and a valid NANP number', 'call +14155552671 ok', '14155552671', 'phoneE164'],
    ['+1 and an N11 area code', 'call +19115552671 ok', '19115552671', 'nothing'],
    // Nine digits, by the words before them (up to 32 chars, not past another digit).
    ['nine digits after "ssn"', 'ssn 536904399 ok', '536904399', 'ssn'],
    ['nine digits after "Social Security"', 'Social Security no. 536904399', '536904399', 'ssn'],
    ['nine digits after "soc sec"', 'soc sec: 536904399', '536904399', 'ssn'],
    ['nine digits after "SS#"', 'SS#536904399', '536904399', 'ssn'],
    ['nine digits after "ssn" glued to a letter before it', 'xssn 536904399', '536904399', 'nothing'],
    [
      'nine digits after "ssn" starting the context, glued to a digit',
      'id 7ssn 536904399',
      '536904399',
      'ssn',
    ],
    ['nine digits after "ssn", but outside the SSA ranges', 'ssn 666904399 ok', '666904399', 'nothing'],
    ['nine digits after "routing"', 'routing 021000021 ok', '021000021', 'routing'],
    ['nine digits after "ABA"', 'ABA: 021000021', '021000021', 'routing'],
    ['nine digits after "RTN"', 'rtn=021000021', '021000021', 'routing'],
    ['nine digits after "transit"', 'transit 021000021', '021000021', 'routing'],
    ['nine digits after "routings" (not a whole word)', 'routings 021000021', '021000021', 'nothing'],
    ['nine digits after "abacus" (not a whole word)', 'abacus 021000021', '021000021', 'nothing'],
    ['nine digits after "routing" failing the checksum', 'routing 021000022 ok', '021000022', 'nothing'],
    ['nine digits after "routing" with a prefix no bank has', 'routing 131000021 ok', '131000021', 'nothing'],
    [
      'nine digits after a keyword more than 32 chars before',
      `routing ${'x'.repeat(30)} 021000021`,
      '021000021',
      'nothing',
    ],
    ['nine digits after a keyword with a digit between', 'routing 7 021000021', '021000021', 'nothing'],
    ['nine digits with no keyword', 'order 021000021 ok', '021000021', 'nothing'],
    // What it leaves to JavaScript.
    ['+ and digits in groups', 'call +44 20 7946 0958 ok', '44 20 7946 0958', 'groups'],
    ['a group of four among others', 'ref 12.3456.78.90 ok', '12.3456.78.90', 'groups'],
    ['groups glued to a letter', 'ref 4111 1111 1111 1111x', '4111 1111 1111 1111', 'groups'],
    ['(ddd) ddd-dddd without the opening parenthesis', 'tel 415) 555-2671 ok', '415) 555-2671', 'groups'],
    ['four groups with another separator', 'pan 4111.1111.1111.1111 ok', '4111.1111.1111.1111', 'groups'],
  ])('%s: %s', (_rule, line, span, verdict) => {
    expect(verdictOn(line, span)).toBe(verdict);
  });

  it('reads the text around a span at both ends of the text as neither + nor a word char', () => {
    expect(verdictOn('4111111111111111', '4111111111111111')).toBe('card');
    expect(verdictOn('219-09-9998', '219-09-9998')).toBe('ssn');
  });

  it('reports a card in one run exactly when validators.ts cardBrand names a brand (IIN boundaries, lengths 12–20)', () => {
    const prefixes = [
      ['4', '3', '5'],
      ['51', '55', '50', '56', '2221', '2720', '2220', '2721'],
      ['34', '37', '35', '33'],
      ['6011', '6010', '644', '649', '643', '65', '622126', '622925', '622125', '622926'],
      ['3528', '3589', '3527', '3590'],
      ['300', '305', '306', '36', '38', '39'],
      ['62', '63', '2', '6'],
    ].flat();
    const random = seeded(23);
    let cards = 0;
    for (const prefix of prefixes)
      for (let n = 12; n <= 20; n++)
        for (let k = 0; k < 8; k++) {
          let body = prefix;
          while (body.length < n - 1) body += String(Math.floor(random() * 10));
          const number = withLuhnCheck(body);
          const isCard = cardBrand(number) !== undefined && n >= 13 && n <= 19;
          if (isCard) cards++;
          expect({ number, verdict: verdictOn(`pan ${number} ok`, number) }).toEqual({
            number,
            verdict: isCard ? 'card' : 'nothing',
          });
        }
    expect(cards).toBeGreaterThan(500);
  });

  it('judges an IBAN exactly as validators.ts ibanValid does (every country, valid, mistyped, wrong length, grouped)', () => {
    const random = seeded(29);
    const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
    /** The check digits that make `country` + `bban` pass mod 97. */
    const checked = (country: string, bban: string) => {
      for (let check = 0; check < 100; check++) {
        const iban = `${country}${String(check).padStart(2, '0')}${bban}`;
        if (ibanValid(iban)) return iban;
      }
      return `${country}00${bban}`;
    };
    let valid = 0;
    const countries = [...Object.keys(IBAN_LENGTHS), 'US', 'ZZ', 'AA'];
    for (const country of countries)
      for (let k = 0; k < 12; k++) {
        const length = (IBAN_LENGTHS[country] ?? 22) + (k % 4 === 3 ? 1 : 0);
        let bban = '';
        while (bban.length < length - 4)
          bban += alphabet[Math.floor(random() * (random() < 0.7 ? 10 : alphabet.length))];
        let iban = checked(country, bban);
        // A mistyped character.
        if (k % 4 === 2) iban = `${iban.slice(0, -1)}${iban.endsWith('1') ? '2' : '1'}`;
        const printed = k % 2 === 0 ? iban : (iban.match(/.{1,4}/g) ?? []).join(' ');
        const line = `iban ${printed} end`;
        const scanned = candidateSearch.scan(line, 0, line.length);
        const judged = scanned.count === 1 && scanned.found[2] === VERDICTS.iban;
        if (judged) valid++;
        expect({ printed, judged }).toEqual({ printed, judged: ibanValid(iban) });
      }
    expect(valid).toBeGreaterThan(300);
  });

  it('returns what may hold PII, in order, with verdicts and where the pass resumes, for texts of any size', () => {
    for (const filler of [10, 200_000, 50]) {
      const text = `${'x'.repeat(filler)} pan 4111111111111111 at 1733443200 routing 021000021 GB82 WEST 1234 5698 7654 32 `;
      const spanOf = (span: string) => [text.indexOf(span), text.indexOf(span) + span.length];
      const scanned = candidateSearch.scan(text, 0, text.length);
      expect([...scanned.found.subarray(0, scanned.count * SPAN_INTS)]).toEqual([
        ...spanOf('4111111111111111'),
        VERDICTS.card,
        ...spanOf('021000021'),
        VERDICTS.routing,
        ...spanOf('GB82 WEST 1234 5698 7654 32'),
        VERDICTS.iban,
      ]);
      expect(scanned.resume).toBe(text.indexOf(' GB82') + 28);
    }
  });

  it('leaves matches starting at or after the limit to the next window, and resumes no earlier than from', () => {
    const text = 'pan 4111111111111111 and 5555555555554444 end';
    const second = text.indexOf('5555');
    const scanned = candidateSearch.scan(text, 0, second);
    expect(scanned.count).toBe(1);
    expect(scanned.resume).toBe(text.indexOf(' and'));
    expect(candidateSearch.scan(text, second + 16, text.length)).toMatchObject({
      count: 0,
      resume: second + 16,
    });
  });
});
