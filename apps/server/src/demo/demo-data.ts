import { DEMO_EXTENSIONS } from '../../../pbx-sim/src';
import type { UserRole } from '@app/contracts';

/**
 * The fixed password of the demo users. Acceptable only because demo mode never runs in
 * production or next to a real PBX (AppConfig.demoEnabled); the README and the start log say it.
 */
export const DEMO_PASSWORD = 'demo-password';

/** calls.pbx_id of the demo's calls (the test call's PBX is `simulator`). */
export const DEMO_PBX_ID = 'demo';

/** Marks demo users, so they are easy to find (and delete) in a database that ran the demo. */
export const DEMO_EMAIL_DOMAIN = 'demo.local';

export interface DemoUser {
  username: string;
  firstName: string;
  lastName: string;
  role: UserRole;
  extension: string;
}

/** The simulator's office phone that belongs to the supervisor ("Eve Supervisor"). */
const SUPERVISOR_EXTENSION = '1005';

/**
 * One user per phone of the simulated office, named as the phone's caller ID, so that the
 * answering or calling extension on every demo call belongs to a user.
 */
export const DEMO_USERS: DemoUser[] = DEMO_EXTENSIONS.map(({ number, name }) => {
  const [firstName, lastName = ''] = name.split(' ');
  return {
    username: firstName.toLowerCase(),
    firstName,
    lastName,
    role: number === SUPERVISOR_EXTENSION ? 'supervisor' : 'operator',
    extension: number,
  };
});

export interface DemoCompany {
  name: string;
  inn: string;
  /** Written the way people type them; the normaliser matches them to the callers' E.164 numbers. */
  phones: string[];
}

/** The companies behind the simulator's external numbers (DEMO_EXTERNAL_NUMBERS). */
export const DEMO_COMPANIES: DemoCompany[] = [
  { name: 'Romashka LLC', inn: '7701234567', phones: ['+7 (495) 123-45-67'] },
  { name: 'Vektor Logistics', inn: '7702345678', phones: ['8 495 765-43-21'] },
  { name: 'Sever Bank', inn: '7703456789', phones: ['+7 495 111 22 33'] },
  { name: 'Neva Trading House', inn: '7804567890', phones: ['8 (812) 333-44-55'] },
  { name: 'Orbita Media', inn: '7705678901', phones: ['74993332211'] },
];

/** An external number the demo deliberately leaves without a company: calls from it show an unknown caller. */
export const DEMO_UNKNOWN_CALLER = '+79161234567';
