import { ActionIcon, Button, Group, PasswordInput, Select, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { IconTrash } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/api';
import { PHONE_TYPES, USER_ROLES, type PhoneType, type User, type UserInput, type UserRole } from '../api/types';
import { FormButtons, FormError } from './directory-parts';
import { useSave } from './use-save';

interface PhoneDraft {
  key: number;
  phoneNumber: string;
  phoneType: PhoneType;
}

let nextKey = 0;
const phoneDraft = (phoneNumber = '', phoneType: PhoneType = 'extension'): PhoneDraft => ({ key: nextKey++, phoneNumber, phoneType });

/** Create or edit a user with their phones (the phones, when saved, replace the user's list). */
export function UserForm({ user, onDone }: { user: User | null; onDone: () => void }) {
  const { t } = useTranslation();
  const [username, setUsername] = useState(user?.username ?? '');
  const [email, setEmail] = useState(user?.email ?? '');
  const [password, setPassword] = useState('');
  const [firstName, setFirstName] = useState(user?.firstName ?? '');
  const [lastName, setLastName] = useState(user?.lastName ?? '');
  const [role, setRole] = useState<UserRole>(user?.role ?? 'operator');
  const [phones, setPhones] = useState<PhoneDraft[]>(() => user?.phones.map((phone) => phoneDraft(phone.phoneNumber, phone.phoneType)) ?? []);

  const mutation = useSave('users', (input: UserInput) => (user ? api.users.update(user.id, input) : api.users.create(input)), onDone);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    mutation.mutate({
      username,
      email,
      ...(password ? { password } : {}),
      firstName: firstName.trim() || null,
      lastName: lastName.trim() || null,
      role,
      phones: phones.filter((phone) => phone.phoneNumber.trim()).map(({ phoneNumber, phoneType }) => ({ phoneNumber: phoneNumber.trim(), phoneType })),
    });
  };
  const updatePhone = (key: number, patch: Partial<PhoneDraft>) => setPhones((list) => list.map((phone) => (phone.key === key ? { ...phone, ...patch } : phone)));

  return (
    <form onSubmit={submit}>
      <Stack>
        <FormError error={mutation.error} />
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput label={t('users.username')} required value={username} onChange={(e) => setUsername(e.currentTarget.value)} autoComplete="off" />
          <TextInput label={t('users.email')} type="email" required value={email} onChange={(e) => setEmail(e.currentTarget.value)} />
          <TextInput label={t('users.firstName')} value={firstName} onChange={(e) => setFirstName(e.currentTarget.value)} />
          <TextInput label={t('users.lastName')} value={lastName} onChange={(e) => setLastName(e.currentTarget.value)} />
          <PasswordInput
            label={user ? t('users.passwordKeep') : t('users.password')}
            required={!user}
            minLength={8}
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
            autoComplete="new-password"
            visibilityToggleButtonProps={{ 'aria-label': t('login.showPassword') }}
          />
          <Select
            label={t('users.role')}
            data={USER_ROLES.map((value) => ({ value, label: t(`role.${value}`) }))}
            value={role}
            onChange={(value) => value && setRole(value as UserRole)}
            allowDeselect={false}
          />
        </SimpleGrid>
        <Text fw={500} size="sm">
          {t('users.phones')}
        </Text>
        {phones.map((phone, index) => (
          <Group key={phone.key} align="flex-end" wrap="nowrap">
            <TextInput
              label={`${t('users.phoneNumber')} ${index + 1}`}
              value={phone.phoneNumber}
              onChange={(e) => updatePhone(phone.key, { phoneNumber: e.currentTarget.value })}
              style={{ flex: 1 }}
            />
            <Select
              label={`${t('users.phoneType')} ${index + 1}`}
              data={PHONE_TYPES.map((value) => ({ value, label: t(`phoneType.${value}`) }))}
              value={phone.phoneType}
              onChange={(value) => value && updatePhone(phone.key, { phoneType: value as PhoneType })}
              allowDeselect={false}
              w={150}
            />
            <ActionIcon variant="subtle" color="red" size="lg" mb={2} aria-label={`${t('users.removePhone')} (${index + 1})`} onClick={() => setPhones((list) => list.filter((p) => p.key !== phone.key))}>
              <IconTrash size={18} aria-hidden />
            </ActionIcon>
          </Group>
        ))}
        <Group justify="space-between">
          <Button variant="subtle" onClick={() => setPhones((list) => [...list, phoneDraft()])}>
            {t('users.addPhone')}
          </Button>
          <FormButtons saving={mutation.isPending} onCancel={onDone} />
        </Group>
      </Stack>
    </form>
  );
}
