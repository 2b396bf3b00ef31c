import { Alert } from '@mantine/core';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { UserRole } from '../api/types';
import { hasRole, useSession } from './session-context';

/** Renders the screen only for the given roles; anyone else reads why not (the API refuses them too). */
export function RequireRole({ roles, children }: { roles: readonly UserRole[]; children: ReactNode }) {
  const { t } = useTranslation();
  const { user } = useSession();
  if (hasRole(user, roles)) return <>{children}</>;
  return (
    <Alert color="red" title={t('access.deniedTitle')} role="alert" data-testid="access-denied">
      {t('access.denied', {
        roles: roles.map((role) => t(`role.${role}`)).join(', '),
        username: user?.username ?? '',
        role: user ? t(`role.${user.role}`) : '',
      })}
    </Alert>
  );
}
