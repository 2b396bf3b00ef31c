import { Anchor, Skeleton, Stack, Table, Text, Title } from '@mantine/core';
import type { CompanyCard } from '@app/contracts';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../api/api';
import { ClickToCallButton } from '../call-control/phone-panel';
import { StatusBadge } from '../common/call-badges';
import { formatDateTime } from '../common/format';
import { ErrorState } from '../common/query-state';

const RECENT_CALLS = 5;

/** The caller's company in the popup: the card the push carried at once, its details and recent calls as they load. */
export function PopupCompany({ company, callId }: { company: CompanyCard; callId: string }) {
  const { t, i18n } = useTranslation();
  const details = useQuery({ queryKey: ['companies', 'one', company.id], queryFn: () => api.companies.one(company.id), staleTime: 60_000 });
  // One more than shown: the call ringing now is among them.
  const recent = useQuery({
    queryKey: ['calls', 'company-recent', company.id],
    queryFn: () => api.calls.page({ companyId: Number(company.id) }, undefined, RECENT_CALLS + 1),
    staleTime: 10_000,
  });
  const earlier = (recent.data?.items ?? []).filter((call) => call.id !== callId).slice(0, RECENT_CALLS);
  const none = t('common.none');
  return (
    <Stack gap={6}>
      <Title order={3} size="h4" data-testid="popup-company">
        {company.name}
      </Title>
      {details.isError ? (
        <ErrorState error={details.error} />
      ) : (
        <Text size="sm" component="div" data-testid="popup-company-details">
          {details.data ? (
            <>
              <div>
                {t('popup.inn')}: {details.data.inn ?? none} · {t('popup.email')}: {details.data.email ?? none}
              </div>
              <div>
                {t('popup.phones')}:{' '}
                {details.data.phones.map((phone, index) => (
                  <span key={phone.phoneNumber} data-testid="popup-company-phone">
                    {index > 0 && ', '}
                    {phone.phoneNumber}
                    <ClickToCallButton number={phone.phoneNumber} />
                  </span>
                ))}
              </div>
              {details.data.notes && (
                <div>
                  {t('popup.notes')}: {details.data.notes}
                </div>
              )}
            </>
          ) : (
            <Skeleton height={32} />
          )}
        </Text>
      )}
      <Text size="sm" fw={500}>
        {t('popup.recentCalls')}
      </Text>
      {recent.isError ? (
        <ErrorState error={recent.error} />
      ) : recent.isPending ? (
        <Skeleton height={40} />
      ) : earlier.length === 0 ? (
        <Text size="sm" c="dimmed">
          {t('popup.recentEmpty')}
        </Text>
      ) : (
        <Table aria-label={t('popup.recentCalls')} data-testid="popup-recent-calls" verticalSpacing={2} fz="xs">
          <Table.Tbody>
            {earlier.map((call) => (
              <Table.Tr key={call.id}>
                <Table.Td>
                  <Anchor component={Link} to={`/calls/${call.id}`} fz="xs">
                    {formatDateTime(call.startedAt, i18n.language)}
                  </Anchor>
                </Table.Td>
                <Table.Td>
                  <StatusBadge status={call.status} />
                </Table.Td>
                <Table.Td>{call.assignedUserName ?? none}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
