import { Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { PhoneState } from '@app/contracts';
import { CallAccess } from '../access';
import { PhoneStateBus, type Unsubscribe } from '../call-events';
import type { AuthUser } from '../common/auth';
import { RealtimeHub } from './realtime-hub';
import { SUPERVISORS_ROOM, userRoom } from './realtime-types';

/** The phones' device states from the phone-state bus to supervisors and to each phone's user. */
@Injectable()
export class PhoneStateRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private unsubscribe: Unsubscribe | null = null;

  constructor(
    private readonly bus: PhoneStateBus,
    private readonly hub: RealtimeHub,
    private readonly access: CallAccess,
  ) {}

  onApplicationBootstrap(): void {
    this.unsubscribe = this.bus.subscribe((state) =>
      this.hub.push({ target: { to: [SUPERVISORS_ROOM, ...(state.userId ? [userRoom(state.userId)] : [])] }, event: 'user:status', payload: { kind: 'device', ...state } }),
    );
  }

  onApplicationShutdown(): void {
    this.unsubscribe?.();
  }

  /** The latest state of the phones the user may watch: all for supervisors, their own otherwise. */
  async visibleTo(user: AuthUser): Promise<PhoneState[]> {
    const states = await this.bus.current();
    const mine = String(user.id);
    return (this.access.seesAllCalls(user) ? states : states.filter((s) => s.userId === mine)).sort(
      (a, b) => a.pbxId.localeCompare(b.pbxId) || a.extension.localeCompare(b.extension, undefined, { numeric: true }),
    );
  }
}
