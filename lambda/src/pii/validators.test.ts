import {
  abaValid,
  cardBrand,
  e164Valid,
  ibanValid,
  luhnValid,
  luhnValidGroupedAt,
  nanpValid,
  nanpValidAt,
  ssnValid,
  ssnValidAt,
} from './validators';

describe('luhnValid', () => {
  it.each(['4111111111111111', '378282246310005', '6011111111111117', '5555555555554444', '0'])(
    'accepts %s',
    (d) => {
      expect(luhnValid(d)).toBe(true);
    },
  );
  it.each(['4111111111111112', '378282246310006', '1234567812345678'])('refuses %s', (d) => {
    expect(luhnValid(d)).toBe(false);
  });
  it('skips the separators of a grouped number where it lies in the text', () => {
    expect(luhnValidGroupedAt('card 4111 1111 1111 1111.', 5, 24)).toBe(true);
    expect(luhnValidGroupedAt('card 4111-1111-1111-1112.', 5, 24)).toBe(false);
  });
});

describe('cardBrand', () => {
  it.each([
    ['4111111111111111', 'visa'],
    ['4222222222222', 'visa'],
    ['5555555555554444', 'mastercard'],
    ['2223003122003222', 'mastercard'],
    ['378282246310005', 'amex'],
    ['6011111111111117', 'discover'],
    ['3530111333300000', 'jcb'],
    ['36227206271667', 'diners'],
    ['6200000000000005', 'unionpay'],
  ])('%s is %s', (digits, brand) => {
    expect(cardBrand(digits)).toBe(brand);
  });
  it.each(['1111111111111111', '9111111111111111', '41111111111111', '37828224631000', '7000000000000000'])(
    'no brand for %s',
    (d) => {
      expect(cardBrand(d)).toBeUndefined();
    },
  );
});

describe('ssnValid', () => {
  it.each(['536904399', '001010001', '899999999', '772011234'])('accepts %s', (d) => {
    expect(ssnValid(d)).toBe(true);
  });
  it.each([
    ['000123456', 'area 000'],
    ['666123456', 'area 666'],
    ['900123456', 'area 9xx'],
    ['536004399', 'group 00'],
    ['536900000', 'serial 0000'],
    ['078051120', 'Woolworth wallet card'],
    ['219099999', 'SSA advertisement'],
    ['123456789', 'sequential sample'],
    ['53690439', 'too short'],
  ])('refuses %s (%s)', (d) => {
    expect(ssnValid(d)).toBe(false);
  });
  it('judges area, group and serial where they lie in the text', () => {
    expect(ssnValidAt('ssn 536-90-4399', 4, 8, 11)).toBe(true);
    expect(ssnValidAt('ssn 536-00-4399', 4, 8, 11)).toBe(false);
    expect(ssnValidAt('ssn 078-05-1120', 4, 8, 11)).toBe(false);
  });
});

describe('abaValid', () => {
  it.each(['021000021', '011000015', '122105155', '322271627'])('accepts %s', (d) => {
    expect(abaValid(d)).toBe(true);
  });
  it.each([
    ['021000022', 'checksum'],
    ['131000021', 'prefix 13 unassigned'],
    ['000000000', 'prefix 00'],
    ['02100002', 'length'],
  ])('refuses %s (%s)', (d) => {
    expect(abaValid(d)).toBe(false);
  });
});

describe('ibanValid', () => {
  it.each([
    'GB82WEST12345698765432',
    'DE89370400440532013000',
    'FR1420041010050500013M02606',
    'NO9386011117947',
  ])('accepts %s', (iban) => {
    expect(ibanValid(iban)).toBe(true);
  });
  it.each([
    ['GB82WEST12345698765433', 'mod 97'],
    ['GB82WEST1234569876543', 'length for GB'],
    ['XX82WEST12345698765432', 'unknown country'],
    ['gb82west12345698765432', 'lower case'],
  ])('refuses %s (%s)', (iban) => {
    expect(ibanValid(iban)).toBe(false);
  });
});

describe('phone numbers', () => {
  it('accepts NANP numbers and refuses N11, leading 0/1 and 555-01xx', () => {
    expect(nanpValid('4155552671')).toBe(true);
    expect(nanpValid('4115552671')).toBe(false);
    expect(nanpValid('4154112671')).toBe(false);
    expect(nanpValid('0155552671')).toBe(false);
    expect(nanpValid('4151552671')).toBe(false);
    expect(nanpValid('4155550123')).toBe(false);
  });
  it('judges NANP area, exchange and line where they lie in the text', () => {
    expect(nanpValidAt('tel (415) 555-2671', 5, 10, 14)).toBe(true);
    expect(nanpValidAt('tel (415) 555-0123', 5, 10, 14)).toBe(false);
    expect(nanpValidAt('tel (911) 555-2671', 5, 10, 14)).toBe(false);
  });
  it('accepts E.164 lengths 8–15 and checks +1 numbers as NANP', () => {
    expect(e164Valid('442079460958')).toBe(true);
    expect(e164Valid('14155552671')).toBe(true);
    expect(e164Valid('11155552671')).toBe(false);
    expect(e164Valid('1234567')).toBe(false);
    expect(e164Valid('1234567890123456')).toBe(false);
    expect(e164Valid('0442079460958')).toBe(false);
  });
});
