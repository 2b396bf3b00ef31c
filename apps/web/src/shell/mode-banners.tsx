import { Alert, Stack } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useMeta } from '../common/use-meta';

/** Always visible while the server runs in TEST_MODE or as the demo, so nobody mistakes it for production. */
export function ModeBanners() {
  const { t } = useTranslation();
  const { data: meta } = useMeta();
  if (!meta || (!meta.testMode && !meta.demo)) return null;
  return (
    <Stack gap="xs" mb="md">
      {meta.testMode && (
        <Alert color="orange" variant="filled" role="status" data-testid="banner-test-mode">
          {t('banner.testMode')}
        </Alert>
      )}
      {meta.demo && (
        <Alert color="blue" variant="light" role="status" data-testid="banner-demo">
          {t('banner.demo')}
        </Alert>
      )}
    </Stack>
  );
}
