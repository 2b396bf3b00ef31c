import { Badge } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { CallStatus } from '../api/types';

const STATUS_COLORS: Record<CallStatus, string> = {
  ringing: 'yellow',
  answered: 'green',
  on_hold: 'grape',
  missed: 'red',
  busy: 'orange',
  abandoned: 'pink',
  failed: 'gray',
};

export function StatusBadge({ status }: { status: CallStatus }) {
  const { t } = useTranslation();
  return (
    <Badge color={STATUS_COLORS[status]} variant="light" data-status={status}>
      {t(`status.${status}`)}
    </Badge>
  );
}

export const statusColor = (status: CallStatus) => STATUS_COLORS[status];
