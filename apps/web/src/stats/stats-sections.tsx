import { BarChart, DonutChart, LineChart } from '@mantine/charts';
import { Anchor, Grid, Group, Paper, RingProgress, ScrollArea, SimpleGrid, Table, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { TERMINAL_CALL_STATUSES, type CallStats } from '../api/types';
import { statusColor } from '../common/call-badges';
import { formatDateTime, formatDuration, formatNumber, formatPercent } from '../common/format';
import { Kpi } from '../common/kpi';
import { EmptyState } from '../common/query-state';

/** A chart with the table of the numbers it draws beside it (the table is also its text alternative). */
function ChartSection({ id, title, chart, numbers, numbersSpan = 5 }: { id: string; title: string; chart: ReactNode; numbers: ReactNode; numbersSpan?: number }) {
  const { t } = useTranslation();
  return (
    <Paper withBorder p="md" component="section" aria-labelledby={`${id}-title`} data-testid={id}>
      <Title order={3} size="h4" mb="sm" id={`${id}-title`}>
        {title}
      </Title>
      <Grid>
        <Grid.Col span={{ base: 12, md: 12 - numbersSpan }} aria-hidden>
          {chart}
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: numbersSpan }}>
          <ScrollArea.Autosize mah={280} type="auto">
            <Text size="xs" c="dimmed" mb={4}>
              {t('stats.numbers')}
            </Text>
            {numbers}
          </ScrollArea.Autosize>
        </Grid.Col>
      </Grid>
    </Paper>
  );
}

function NumbersTable({ label, head, rows }: { label: string; head: string[]; rows: (string | number)[][] }) {
  return (
    <Table striped withTableBorder fz="sm" aria-label={label} data-testid="numbers">
      <Table.Thead>
        <Table.Tr>
          {head.map((cell) => (
            <Table.Th key={cell}>{cell}</Table.Th>
          ))}
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {rows.map((row) => (
          <Table.Tr key={String(row[0])}>
            {row.map((cell, index) => (
              <Table.Td key={index}>{cell}</Table.Td>
            ))}
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

export function StatsOverview({ stats }: { stats: CallStats }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const { totals } = stats;
  return (
    <Group align="stretch" gap="md" wrap="wrap">
      <Paper withBorder p="md">
        <Group>
          <RingProgress
            size={96}
            thickness={10}
            sections={[{ value: totals.answerRate * 100, color: 'green' }]}
            label={
              <Text ta="center" fw={700} size="sm">
                {formatPercent(totals.answerRate, lang)}
              </Text>
            }
            aria-hidden
          />
          <div>
            <Text size="xs" c="dimmed">
              {t('stats.answerRate')}
            </Text>
            <Text size="xl" fw={700} data-testid="kpi-answer-rate">
              {formatPercent(totals.answerRate, lang)}
            </Text>
          </div>
        </Group>
      </Paper>
      <SimpleGrid cols={{ base: 2, sm: 3, lg: 6 }} style={{ flex: 1 }}>
        <Kpi label={t('stats.totalCalls')} value={formatNumber(totals.calls, lang)} testId="kpi-calls" />
        <Kpi label={t('stats.answered')} value={formatNumber(totals.answered, lang)} testId="kpi-answered" />
        <Kpi label={t('stats.avgRing')} value={formatDuration(stats.ringSeconds.average)} testId="kpi-avg-ring" />
        <Kpi label={t('stats.avgTalk')} value={formatDuration(stats.talkSeconds.average)} testId="kpi-avg-talk" />
        <Kpi label={t('stats.totalTalk')} value={formatDuration(stats.talkSeconds.total)} testId="kpi-total-talk" />
        <Kpi label={t('stats.missedNotCalledBack')} value={formatNumber(stats.missedNotCalledBack.count, lang)} testId="kpi-missed-not-called-back" />
      </SimpleGrid>
    </Group>
  );
}

export function PerHourSection({ stats }: { stats: CallStats }) {
  const { t } = useTranslation();
  const data = stats.perHour.map((bucket) => ({ hour: String(bucket.hour).padStart(2, '0'), calls: bucket.calls, answered: bucket.answered }));
  return (
    <ChartSection
      id="stats-per-hour"
      title={t('stats.perHour')}
      chart={
        <BarChart
          h={260}
          data={data}
          dataKey="hour"
          series={[
            { name: 'calls', label: t('stats.calls'), color: 'blue.6' },
            { name: 'answered', label: t('stats.answered'), color: 'green.6' },
          ]}
          withLegend
          tickLine="y"
        />
      }
      numbers={<NumbersTable label={t('stats.perHour')} head={[t('stats.hour'), t('stats.calls'), t('stats.answered')]} rows={data.filter((row) => row.calls > 0).map((row) => [row.hour, row.calls, row.answered])} />}
    />
  );
}

export function ByStatusSection({ stats }: { stats: CallStats }) {
  const { t, i18n } = useTranslation();
  const data = TERMINAL_CALL_STATUSES.map((status) => ({ status, name: t(`status.${status}`), value: stats.totals.byStatus[status] ?? 0, color: `${statusColor(status)}.6` }));
  return (
    <ChartSection
      id="stats-by-status"
      title={t('stats.byStatus')}
      chart={<DonutChart h={260} data={data.filter((slice) => slice.value > 0)} withLabels withLabelsLine withTooltip chartLabel={formatPercent(stats.totals.answerRate, i18n.language)} mx="auto" />}
      numbers={<NumbersTable label={t('stats.byStatus')} head={[t('stats.outcome'), t('stats.count')]} rows={data.map((slice) => [slice.name, slice.value])} />}
    />
  );
}

export function PerUserSection({ stats }: { stats: CallStats }) {
  const { t } = useTranslation();
  const users = stats.perUser.map((user) => ({ ...user, name: user.userName ?? `#${user.userId}` }));
  return (
    <ChartSection
      id="stats-per-user"
      title={t('stats.perUser')}
      numbersSpan={7}
      chart={
        users.length === 0 ? (
          <EmptyState />
        ) : (
          <BarChart
            h={Math.max(160, users.length * 36)}
            data={users.map((user) => ({ name: user.name, minutes: Math.round((user.talkSeconds / 60) * 10) / 10 }))}
            dataKey="name"
            orientation="vertical"
            yAxisProps={{ width: 120 }}
            series={[{ name: 'minutes', label: t('stats.talkMinutes'), color: 'teal.6' }]}
          />
        )
      }
      numbers={
        <NumbersTable
          label={t('stats.perUser')}
          head={[t('stats.operator'), t('stats.calls'), t('stats.answered'), t('stats.unanswered'), t('stats.talk'), t('stats.avgTalkShort')]}
          rows={users.map((user) => [user.name, user.calls, user.answered, user.unanswered, formatDuration(user.talkSeconds), formatDuration(user.averageTalkSeconds)])}
        />
      }
    />
  );
}

export function PerDaySection({ stats }: { stats: CallStats }) {
  const { t, i18n } = useTranslation();
  const days = stats.perDay.map((day) => ({ ...day, rate: day.calls > 0 ? day.answered / day.calls : 0 }));
  return (
    <ChartSection
      id="stats-per-day"
      title={t('stats.perDay')}
      chart={
        <LineChart
          h={220}
          data={days.map((day) => ({ day: day.day, rate: Math.round(day.rate * 1000) / 10 }))}
          dataKey="day"
          unit="%"
          yAxisProps={{ domain: [0, 100] }}
          series={[{ name: 'rate', label: t('stats.rate'), color: 'green.6' }]}
        />
      }
      numbers={
        <NumbersTable
          label={t('stats.perDay')}
          head={[t('stats.day'), t('stats.calls'), t('stats.answered'), t('stats.rate')]}
          rows={days.map((day) => [day.day, day.calls, day.answered, formatPercent(day.rate, i18n.language)])}
        />
      }
    />
  );
}

export function MissedSection({ stats }: { stats: CallStats }) {
  const { t, i18n } = useTranslation();
  const { calls } = stats.missedNotCalledBack;
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="stats-missed-title" data-testid="stats-missed">
      <Title order={3} size="h4" mb="sm" id="stats-missed-title">
        {t('stats.missedList')}
      </Title>
      {calls.length === 0 ? (
        <EmptyState>{t('stats.missedEmpty')}</EmptyState>
      ) : (
        <ScrollArea.Autosize mah={320} type="auto">
          <Table striped fz="sm" aria-label={t('stats.missedList')}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('calls.colStarted')}</Table.Th>
                <Table.Th>{t('calls.colCaller')}</Table.Th>
                <Table.Th>{t('calls.colStatus')}</Table.Th>
                <Table.Th>{t('calls.colUser')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {calls.map((call) => (
                <Table.Tr key={call.id}>
                  <Table.Td>
                    <Anchor component={Link} to={`/calls/${call.id}`} size="sm">
                      {formatDateTime(call.startedAt, i18n.language)}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>
                    {call.callerNumber}
                    {call.callerCompanyName ? ` · ${call.callerCompanyName}` : ''}
                  </Table.Td>
                  <Table.Td>{t(`status.${call.status}`)}</Table.Td>
                  <Table.Td>{call.assignedUserName ?? t('stats.unassigned')}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollArea.Autosize>
      )}
    </Paper>
  );
}
