import { Alert, Button, Group, Modal, Text } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../common/error-message';

/** Asks before a delete and shows the API's refusal in words. */
export function ConfirmDeleteModal({ question, onConfirm, onClose }: { question: string | null; onConfirm: () => Promise<void>; onClose: () => void }) {
  const { t } = useTranslation();
  const mutation = useMutation({ mutationFn: onConfirm, onSuccess: onClose });
  return (
    <Modal opened={question !== null} onClose={onClose} title={t('common.delete')} onExitTransitionEnd={() => mutation.reset()}>
      <Text mb="md">{question}</Text>
      {mutation.isError && (
        <Alert color="red" role="alert" mb="md">
          {errorMessage(t, mutation.error)}
        </Alert>
      )}
      <Group justify="flex-end">
        <Button variant="default" onClick={onClose}>
          {t('common.cancel')}
        </Button>
        <Button color="red" onClick={() => mutation.mutate()} loading={mutation.isPending}>
          {t('common.delete')}
        </Button>
      </Group>
    </Modal>
  );
}
