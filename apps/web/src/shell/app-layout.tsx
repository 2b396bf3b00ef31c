import { AppShell, Burger, Button, Group, NavLink, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconBuilding, IconChartBar, IconHeadset, IconLayoutDashboard, IconPhone, IconUsers } from '@tabler/icons-react';
import { Link, Outlet, useLocation } from 'react-router';
import { useTranslation } from 'react-i18next';
import { hasRole, useSession } from '../auth/session-context';
import { OwnCommandNotice } from '../call-control/phone-panel';
import { userDisplayName } from '../common/format';
import { useMeta } from '../common/use-meta';
import { IncomingCallPopups } from '../live/incoming-call-popups';
import { RealtimeProvider } from '../realtime/realtime-context';
import { TestCallButton } from '../test-call/test-call-button';
import { ConnectionIndicator } from './connection-indicator';
import { LanguageSwitch } from './language-switch';
import { ModeBanners } from './mode-banners';
import { NAV_ITEMS, TEST_CALL_ROLES } from './navigation';
import { StatusSelect } from './status-select';

const ICONS = { live: IconHeadset, wallboard: IconLayoutDashboard, calls: IconPhone, stats: IconChartBar, companies: IconBuilding, users: IconUsers } as const;

/** The logged-in frame: header (test call, live state, language, user), role-based navigation, mode banners. */
export function AppLayout() {
  const { t } = useTranslation();
  const { user, logout } = useSession();
  const { data: meta } = useMeta();
  const location = useLocation();
  const [opened, { toggle, close }] = useDisclosure();
  if (!user) return null;
  const items = (Object.keys(NAV_ITEMS) as (keyof typeof NAV_ITEMS)[]).filter((key) => hasRole(user, NAV_ITEMS[key].roles));
  const displayName = userDisplayName(user);

  return (
    <RealtimeProvider>
      <AppShell header={{ height: 60 }} navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
        <AppShell.Header>
          <Group h="100%" px="md" justify="space-between" wrap="nowrap">
            <Group gap="sm" wrap="nowrap">
              <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={t('nav.openMenu')} />
              <Title order={1} size="h4">
                {t('app.title')}
              </Title>
            </Group>
            <Group gap="sm" wrap="nowrap">
              {hasRole(user, TEST_CALL_ROLES) && <TestCallButton />}
              <StatusSelect />
              <ConnectionIndicator />
              <LanguageSwitch />
              <Text size="sm" visibleFrom="md" data-testid="current-user">
                {t('session.signedInAs', { name: displayName, role: t(`role.${user.role}`) })}
              </Text>
              <Button variant="subtle" size="xs" onClick={logout}>
                {t('session.logout')}
              </Button>
            </Group>
          </Group>
        </AppShell.Header>
        <AppShell.Navbar p="xs" component="nav" aria-label={t('nav.label')}>
          {items.map((key) => {
            const Icon = ICONS[key];
            const item = NAV_ITEMS[key];
            return (
              <NavLink
                key={key}
                component={Link}
                to={item.path}
                label={t(item.label)}
                leftSection={<Icon size={18} aria-hidden />}
                active={location.pathname.startsWith(item.path)}
                onClick={close}
              />
            );
          })}
          {meta && (
            <Text size="xs" c="dimmed" mt="auto" p="xs">
              {t('app.version', { version: meta.version })}
            </Text>
          )}
        </AppShell.Navbar>
        <AppShell.Main>
          <ModeBanners />
          <OwnCommandNotice />
          <Outlet />
        </AppShell.Main>
      </AppShell>
      <IncomingCallPopups />
    </RealtimeProvider>
  );
}
