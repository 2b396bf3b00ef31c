import type { CallControlAck, ClientToServerEvents } from '@app/contracts';
import { useCallback, useSyncExternalStore } from 'react';
import { useRealtime } from '../realtime/realtime-context';
import { ControlState, type ControlCommand, type ControlView } from './control-state';

const IDLE = new ControlState().view();

/** The call-control state (notes, pending commands, consultations, recordings), re-rendering on every change. */
export function useControl(): ControlView {
  const client = useRealtime();
  return useSyncExternalStore(
    (listener) => client?.control.subscribe(listener) ?? (() => undefined),
    () => client?.control.view() ?? IDLE,
  );
}

type Request<C extends ControlCommand> = Parameters<ClientToServerEvents[C]>[0];

/**
 * Sends a command on a call through the socket and records its acknowledgement (the PBX's
 * confirmation or the refusal) for the call's row and popup. The UI decides nothing: the
 * server checks who may do what, and says why not.
 */
export function useCallCommand() {
  const client = useRealtime();
  return useCallback(
    async <C extends ControlCommand>(callId: string, command: C, request: Request<C>): Promise<CallControlAck | null> => {
      if (!client) return null;
      client.control.sent(callId, command);
      const ack = (await client.command(command, request as never)) as CallControlAck;
      client.control.answered(callId, command, ack);
      return ack;
    },
    [client],
  );
}

/** The user's own commands: click-to-call and agent pause. */
export function useOwnCommand() {
  const client = useRealtime();
  return useCallback(
    async <C extends 'originate-call' | 'agent-pause'>(command: C, request: Request<C>, number?: string): Promise<CallControlAck | null> => {
      if (!client) return null;
      client.control.ownSent(command);
      const ack = (await client.command(command, request as never)) as CallControlAck;
      client.control.ownAnswered(command, ack, number);
      return ack;
    },
    [client],
  );
}
