import { Paper, Text } from '@mantine/core';

/** One key figure with its label (statistics, wallboard). */
export function Kpi({ label, value, testId }: { label: string; value: string | number; testId: string }) {
  return (
    <Paper withBorder p="md">
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="xl" fw={700} data-testid={testId}>
        {value}
      </Text>
    </Paper>
  );
}
