import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { DEMO_DIDS, DEMO_EXTENSIONS, DEMO_EXTERNAL_NUMBERS, resolveProfile, STEADY_PROFILE } from '../../../pbx-sim/src';
import { normalizePhoneNumber } from '../common/phone/phone-normalizer';
import { CreateCompanyDto } from '../companies';
import { CreateUserDto } from '../users';
import { DEMO_COMPANIES, DEMO_PASSWORD, DEMO_UNKNOWN_CALLER, DEMO_USERS } from './demo-data';
import { DEMO_TRAFFIC, FIRST_DEMO_CALL } from './demo-traffic';

const normalize = (number: string) => normalizePhoneNumber(number, 'RU');

function problems<T extends object>(dto: new () => T, plain: object): string[] {
  return validateSync(plainToInstance(dto, plain)).flatMap((error) => Object.values(error.constraints ?? {}));
}

describe('demo data against the simulated office', () => {
  it('gives every phone of the simulator a user: four operators and Eve, the supervisor, on 1005', () => {
    expect(DEMO_USERS.map((user) => user.extension)).toEqual(DEMO_EXTENSIONS.map((extension) => extension.number));
    expect(DEMO_USERS.map((user) => [user.username, user.role, user.extension])).toEqual([
      ['alice', 'operator', '1001'],
      ['bob', 'operator', '1002'],
      ['carol', 'operator', '1003'],
      ['dave', 'operator', '1004'],
      ['eve', 'supervisor', '1005'],
    ]);
  });

  it('creates users and companies the API itself would accept', () => {
    for (const user of DEMO_USERS) {
      const { extension, ...fields } = user;
      const plain = { ...fields, email: `${user.username}@demo.local`, password: DEMO_PASSWORD, phones: [{ phoneNumber: extension, phoneType: 'extension' }] };
      expect({ user: user.username, problems: problems(CreateUserDto, plain) }).toEqual({ user: user.username, problems: [] });
    }
    for (const company of DEMO_COMPANIES) {
      expect({ company: company.name, problems: problems(CreateCompanyDto, company) }).toEqual({ company: company.name, problems: [] });
    }
  });

  it('gives every external number of the demo traffic a company, except the one unknown caller', () => {
    const companyNumbers = DEMO_COMPANIES.flatMap((company) => company.phones.map(normalize));
    expect(new Set(companyNumbers).size).toBe(companyNumbers.length);
    expect(DEMO_EXTERNAL_NUMBERS).toContain(DEMO_UNKNOWN_CALLER);
    expect([...companyNumbers, DEMO_UNKNOWN_CALLER].sort()).toEqual(DEMO_EXTERNAL_NUMBERS.map(normalize).sort());
  });

  it('starts with a call from Romashka LLC to the DID of a demo operator', () => {
    const did = DEMO_DIDS[FIRST_DEMO_CALL.to!];
    expect(did && 'extension' in did && DEMO_USERS.find((user) => user.extension === did.extension)?.role).toBe('operator');
    const romashka = DEMO_COMPANIES.find((company) => company.phones.map(normalize).includes(normalize(FIRST_DEMO_CALL.from!)));
    expect(romashka?.name).toBe('Romashka LLC');
    // Ends inside the newcomer's first minute.
    expect(FIRST_DEMO_CALL.ringMs! + FIRST_DEMO_CALL.talkMs!).toBeLessThanOrEqual(20_000);
  });

  it('uses a valid traffic profile with the demo callers, a call every few seconds, talks short enough to watch and long enough to act on', () => {
    const profile = resolveProfile(DEMO_TRAFFIC, STEADY_PROFILE);
    expect(profile.externalNumbers).toEqual(DEMO_EXTERNAL_NUMBERS);
    expect(1 / profile.cps).toBeLessThanOrEqual(5);
    expect(profile.talkMs.median).toBeLessThanOrEqual(30_000);
    // A newcomer holds, transfers and hangs up a demo call by hand: no answered call is over before that is possible.
    expect(profile.talkMs.min).toBeGreaterThanOrEqual(10_000);
  });
});
