import '@mantine/charts/styles.css';
import { Button, Group, Paper, SegmentedControl, Stack, Text, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { api } from '../api/api';
import { useSession } from '../auth/session-context';
import { browserTimeZone, toLocalInput } from '../common/format';
import { EmptyState, ErrorState, LoadingState } from '../common/query-state';
import { ByStatusSection, MissedSection, PerDaySection, PerHourSection, PerUserSection, StatsOverview } from './stats-sections';
import { customPeriodParams, PERIOD_PRESETS, periodFromParams, type PeriodPreset } from './stats-period';

/** Statistics for a chosen period (GET /api/stats): charts with their numbers. Operators see their own. */
export default function StatsPage() {
  const { t } = useTranslation();
  const { user } = useSession();
  const [params, setParams] = useSearchParams();
  const { preset, period } = useMemo(() => periodFromParams(params), [params]);
  const timeZone = useMemo(browserTimeZone, []);
  const [customFrom, setCustomFrom] = useState(toLocalInput(period.from));
  const [customTo, setCustomTo] = useState(toLocalInput(period.to));
  useEffect(() => {
    setCustomFrom(toLocalInput(period.from));
    setCustomTo(toLocalInput(period.to));
  }, [period.from, period.to]);

  const query = useQuery({ queryKey: ['stats', period, timeZone], queryFn: () => api.stats({ ...period, tz: timeZone }) });

  const choosePreset = (value: string) => {
    if (value !== 'custom') setParams({ preset: value });
  };
  const applyCustom = (event: FormEvent) => {
    event.preventDefault();
    const next = customPeriodParams(customFrom, customTo);
    if (next) setParams(next);
  };

  return (
    <Stack>
      <Title order={2}>{user?.role === 'operator' ? t('stats.ownTitle') : t('stats.title')}</Title>
      <Paper withBorder p="md" component="form" onSubmit={applyCustom} aria-label={t('stats.period')}>
        <Group align="flex-end" gap="md" wrap="wrap">
          <div>
            <Text size="sm" fw={500} mb={4} id="stats-period-label">
              {t('stats.period')}
            </Text>
            <SegmentedControl
              aria-labelledby="stats-period-label"
              value={preset}
              onChange={choosePreset}
              data={[...PERIOD_PRESETS, 'custom' as const].map((value: PeriodPreset | 'custom') => ({ value, label: t(`stats.${value}`) }))}
            />
          </div>
          <TextInput type="datetime-local" label={t('stats.from')} value={customFrom} onChange={(e) => setCustomFrom(e.currentTarget.value)} />
          <TextInput type="datetime-local" label={t('stats.to')} value={customTo} onChange={(e) => setCustomTo(e.currentTarget.value)} />
          <Button type="submit" variant="light">
            {t('common.apply')}
          </Button>
        </Group>
        <Text size="xs" c="dimmed" mt="xs">
          {t('stats.timeZone', { tz: timeZone })}
        </Text>
      </Paper>
      {query.isPending ? (
        <LoadingState />
      ) : query.isError ? (
        <ErrorState error={query.error} onRetry={() => void query.refetch()} />
      ) : (
        <>
          <StatsOverview stats={query.data} />
          {query.data.totals.calls === 0 ? (
            <EmptyState>{t('stats.noCalls')}</EmptyState>
          ) : (
            <>
              <PerHourSection stats={query.data} />
              <ByStatusSection stats={query.data} />
              <PerUserSection stats={query.data} />
              <PerDaySection stats={query.data} />
            </>
          )}
          <MissedSection stats={query.data} />
        </>
      )}
    </Stack>
  );
}
