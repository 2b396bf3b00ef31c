import { useMutation, useQueryClient } from '@tanstack/react-query';

/** Saves a record (create or update), refreshes every list of its kind, then closes the form. */
export function useSave<Input>(kind: 'users' | 'companies', save: (input: Input) => Promise<unknown>, onDone: () => void) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: save,
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: [kind] });
      onDone();
    },
  });
}
