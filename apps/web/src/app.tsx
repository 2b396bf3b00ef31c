import { Anchor, MantineProvider, Stack, Text } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { lazy, Suspense, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { createBrowserRouter, Link, Navigate, RouterProvider, useLocation } from 'react-router';
import { CompaniesPage } from './admin/companies-page';
import { UsersPage } from './admin/users-page';
import { isApiError } from './api/api-error';
import { RequireRole } from './auth/require-role';
import { SessionProvider, useSession } from './auth/session-context';
import { CallDetailPage } from './calls/call-detail-page';
import { HistoryPage } from './calls/history-page';
import { LoadingState } from './common/query-state';
import { LivePage } from './live/live-page';
import { LoginPage } from './login/login-page';
import { AppLayout } from './shell/app-layout';
import { NAV_ITEMS } from './shell/navigation';
import { theme } from './theme';
import { WallboardPage } from './wallboard/wallboard-page';

// The statistics page carries the charts library: loaded when first opened.
const StatsPage = lazy(() => import('./stats/stats-page'));

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // A 4xx will not change on retry; a lost connection might.
      retry: (failures, error) => failures < 2 && isApiError(error) && (error.status === 0 || error.status >= 500),
      refetchOnWindowFocus: false,
    },
  },
});

/** Everything but the login needs a session; without one, the login page comes back here afterwards. */
function RequireSession({ children }: { children: ReactNode }) {
  const { user } = useSession();
  const location = useLocation();
  if (!user) return <Navigate to="/login" replace state={{ from: `${location.pathname}${location.search}` }} />;
  return <>{children}</>;
}

function NotFound() {
  const { t } = useTranslation();
  return (
    <Stack>
      <Text>{t('state.notFound')}</Text>
      <Anchor component={Link} to="/calls">
        {t('state.backHome')}
      </Anchor>
    </Stack>
  );
}

const router = createBrowserRouter([
  { path: '/login', element: <LoginPage /> },
  {
    path: '/',
    element: (
      <RequireSession>
        <AppLayout />
      </RequireSession>
    ),
    children: [
      { index: true, element: <Navigate to="/live" replace /> },
      { path: 'live', element: <LivePage /> },
      {
        path: 'wallboard',
        element: (
          <RequireRole roles={NAV_ITEMS.wallboard.roles}>
            <WallboardPage />
          </RequireRole>
        ),
      },
      { path: 'calls', element: <HistoryPage /> },
      { path: 'calls/:id', element: <CallDetailPage /> },
      {
        path: 'stats',
        element: (
          <Suspense fallback={<LoadingState />}>
            <StatsPage />
          </Suspense>
        ),
      },
      {
        path: 'admin/companies',
        element: (
          <RequireRole roles={NAV_ITEMS.companies.roles}>
            <CompaniesPage />
          </RequireRole>
        ),
      },
      {
        path: 'admin/users',
        element: (
          <RequireRole roles={NAV_ITEMS.users.roles}>
            <UsersPage />
          </RequireRole>
        ),
      },
      { path: '*', element: <NotFound /> },
    ],
  },
]);

export function App() {
  return (
    <MantineProvider theme={theme}>
      <QueryClientProvider client={queryClient}>
        <SessionProvider>
          <RouterProvider router={router} />
        </SessionProvider>
      </QueryClientProvider>
    </MantineProvider>
  );
}
