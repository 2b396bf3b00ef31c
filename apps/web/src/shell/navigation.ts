import type { UserRole } from '../api/types';
import type { Messages } from '../i18n/en';

export interface NavItem {
  path: string;
  label: `nav.${Exclude<keyof Messages['nav'], 'label' | 'openMenu'>}`;
  roles: readonly UserRole[];
}

const EVERYONE: readonly UserRole[] = ['admin', 'supervisor', 'operator'];

/** Who may open which screen; the navigation and the route guards both read it. */
export const NAV_ITEMS = {
  live: { path: '/live', label: 'nav.live', roles: EVERYONE },
  wallboard: { path: '/wallboard', label: 'nav.wallboard', roles: ['admin', 'supervisor'] },
  calls: { path: '/calls', label: 'nav.calls', roles: EVERYONE },
  stats: { path: '/stats', label: 'nav.stats', roles: EVERYONE },
  companies: { path: '/admin/companies', label: 'nav.companies', roles: ['admin', 'supervisor'] },
  users: { path: '/admin/users', label: 'nav.users', roles: ['admin'] },
} as const satisfies Record<string, NavItem>;

/** Roles that may start a test call (POST /api/calls/simulate). */
export const TEST_CALL_ROLES: readonly UserRole[] = ['admin', 'supervisor'];
