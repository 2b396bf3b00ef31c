import { normalizePhoneNumber, uniqueByNormalizedNumber } from './phone-normalizer';

describe('normalizePhoneNumber', () => {
  it.each([
    ['+7 (495) 123-45-67', '+74951234567'],
    ['84951234567', '+74951234567'],
    ['74951234567', '+74951234567'],
    ['+74951234567', '+74951234567'],
    ['8 (495) 123-45-67', '+74951234567'],
    ['8-495-123-45-67', '+74951234567'],
    ['7 495 123 45 67', '+74951234567'],
    ['495 123 45 67', '+74951234567'],
    ['(495) 1234567', '+74951234567'],
    ['+7.495.123.45.67', '+74951234567'],
    ['8 10 7 495 1234567', '+74951234567'],
    ['007 495 123 45 67', '+74951234567'],
    ['tel:+7-495-123-45-67', '+74951234567'],
    ['\u00a0+7\u00a0495\u00a0123\u00a045\u00a067 ', '+74951234567'],
    ['+7 495 123 45 67 доб. 12', '+74951234567'],
    ['8 916 123-45-67', '+79161234567'],
    ['8 800 555 35 35', '+78005553535'],
    ['+1 (212) 555-0100', '+12125550100'],
    ['+44 20 7946 0958', '+442079460958'],
    ['0044 20 7946 0958', '+442079460958'],
  ])('RU region: %j -> %s', (input, expected) => {
    expect(normalizePhoneNumber(input, 'RU')).toBe(expected);
  });

  it.each(['1001', '100', '*97', '555#', '123456'])('keeps the short internal number %j as it is', (input) => {
    expect(normalizePhoneNumber(input, 'RU')).toBe(input);
  });

  it.each(['', '   ', 'abc', 'anonymous', '123-45-67', '+7 495', '1234567890123456789'])('rejects %j', (input) => {
    expect(normalizePhoneNumber(input, 'RU')).toBeNull();
  });

  it('reads national numbers with the configured region', () => {
    expect(normalizePhoneNumber('(212) 555-0100', 'US')).toBe('+12125550100');
    expect(normalizePhoneNumber('030 1234567', 'DE')).toBe('+49301234567');
    expect(normalizePhoneNumber('+7 495 123-45-67', 'US')).toBe('+74951234567');
  });
});

describe('uniqueByNormalizedNumber', () => {
  it('keeps the first spelling of each number', () => {
    const phones = [
      { phoneNumber: '8 495 123-45-67', normalizedNumber: '+74951234567' },
      { phoneNumber: '1001', normalizedNumber: '1001' },
      { phoneNumber: '+7 495 1234567', normalizedNumber: '+74951234567' },
    ];
    expect(uniqueByNormalizedNumber(phones).map((phone) => phone.phoneNumber)).toEqual(['8 495 123-45-67', '1001']);
  });
});
