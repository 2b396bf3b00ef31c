import { Badge } from '@mantine/core';
import type { DeviceState, PhoneState, UserStatus } from '@app/contracts';
import { useTranslation } from 'react-i18next';

const PRESENCE_COLORS: Record<UserStatus, string> = { online: 'green', away: 'yellow', busy: 'orange', offline: 'gray' };
const DEVICE_COLORS: Record<DeviceState, string> = {
  idle: 'green',
  in_use: 'blue',
  busy: 'orange',
  unavailable: 'gray',
  ringing: 'yellow',
  ringing_in_use: 'yellow',
  on_hold: 'grape',
  unknown: 'gray',
};

export function PresenceBadge({ status }: { status: UserStatus }) {
  const { t } = useTranslation();
  return (
    <Badge color={PRESENCE_COLORS[status]} variant="dot" data-presence={status}>
      {t(`userStatus.${status}`)}
    </Badge>
  );
}

/** A phone's extension and what the PBX last said about it. */
export function PhoneBadge({ phone }: { phone: PhoneState }) {
  const { t } = useTranslation();
  return (
    <Badge color={DEVICE_COLORS[phone.state]} variant="light" tt="none" data-extension={phone.extension} data-device-state={phone.state}>
      {phone.extension} · {t(`deviceState.${phone.state}`)}
    </Badge>
  );
}
