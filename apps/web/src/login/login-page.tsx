import { Alert, Button, Center, Group, Paper, PasswordInput, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, useLocation } from 'react-router';
import { useSession } from '../auth/session-context';
import { errorMessage } from '../common/error-message';
import { useMeta } from '../common/use-meta';
import { LanguageSwitch } from '../shell/language-switch';
import { ModeBanners } from '../shell/mode-banners';

export function LoginPage() {
  const { t } = useTranslation();
  const { user, login, expired } = useSession();
  const location = useLocation();
  const { data: meta } = useMeta();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  if (user) {
    const from = (location.state as { from?: string } | null)?.from;
    return <Navigate to={from && from !== '/login' ? from : '/live'} replace />;
  }

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await login(username.trim(), password);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  const fillDemoLogin = (demoUsername: string) => {
    setUsername(demoUsername);
    setPassword(meta?.demo?.password ?? '');
  };

  return (
    <Center mih="100vh" p="md">
      <Stack w={520} maw="100%">
        <Group justify="space-between">
          <Title order={1} size="h2">
            {t('app.title')}
          </Title>
          <LanguageSwitch />
        </Group>
        <ModeBanners />
        <Paper withBorder shadow="sm" p="lg" component="form" onSubmit={submit} aria-labelledby="login-title">
          <Stack>
            <Title order={2} size="h3" id="login-title">
              {t('login.title')}
            </Title>
            {expired && !error && (
              <Alert color="yellow" role="status" data-testid="session-expired">
                {t('session.expired')}
              </Alert>
            )}
            {error !== null && (
              <Alert color="red" role="alert" title={t('login.failed')} data-testid="login-error">
                {errorMessage(t, error)}
              </Alert>
            )}
            <TextInput label={t('login.username')} name="username" autoComplete="username" required value={username} onChange={(e) => setUsername(e.currentTarget.value)} autoFocus />
            <PasswordInput
              label={t('login.password')}
              name="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
              visibilityToggleButtonProps={{ 'aria-label': t('login.showPassword') }}
            />
            <Button type="submit" loading={busy} loaderProps={{ 'aria-label': t('login.submitting') }}>
              {t('login.submit')}
            </Button>
          </Stack>
        </Paper>
        {meta?.demo && (
          <Paper withBorder p="lg" data-testid="demo-logins">
            <Stack gap="xs">
              <Title order={2} size="h4">
                {t('login.demoTitle')}
              </Title>
              <Text size="sm">{t('login.demoPassword', { password: meta.demo.password })}</Text>
              <Table>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('login.demoUser')}</Table.Th>
                    <Table.Th>{t('login.demoRole')}</Table.Th>
                    <Table.Th>{t('login.demoExtension')}</Table.Th>
                    <Table.Th />
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {meta.demo.users.map((demoUser) => (
                    <Table.Tr key={demoUser.username}>
                      <Table.Td>
                        <Text fw={500}>{demoUser.username}</Text>
                        <Text size="xs" c="dimmed">
                          {demoUser.name}
                        </Text>
                      </Table.Td>
                      <Table.Td>{t(`role.${demoUser.role}`)}</Table.Td>
                      <Table.Td>{demoUser.extension}</Table.Td>
                      <Table.Td>
                        <Button size="xs" variant="light" onClick={() => fillDemoLogin(demoUser.username)}>
                          {t('login.demoUse', { username: demoUser.username })}
                        </Button>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
              <Text size="xs" c="dimmed">
                {t('login.demoAdmin')}
              </Text>
            </Stack>
          </Paper>
        )}
      </Stack>
    </Center>
  );
}
