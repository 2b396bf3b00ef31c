import { Injectable } from '@nestjs/common';
import type { RealtimeSnapshot, SnapshotCall } from '@app/contracts';
import { CallAccess } from '../access';
import { CallsHistoryService } from '../calls';
import type { AuthUser } from '../common/auth';
import { AppConfig } from '../config/app-config';
import { UserPresenceService } from '../users';
import { CallCardsService } from './call-cards.service';
import { PhoneStateRelay } from './phone-state-relay.service';

/** What a connection receives first: the calls in progress, presence and phones the user may see. */
@Injectable()
export class RealtimeSnapshotService {
  constructor(
    private readonly calls: CallsHistoryService,
    private readonly access: CallAccess,
    private readonly presence: UserPresenceService,
    private readonly cards: CallCardsService,
    private readonly phones: PhoneStateRelay,
    private readonly config: AppConfig,
  ) {}

  async build(user: AuthUser): Promise<RealtimeSnapshot> {
    const seesAll = this.access.seesAllCalls(user);
    const [calls, users, phones] = await Promise.all([
      this.activeCalls(user),
      this.presence.list(seesAll ? undefined : [user.id]),
      this.phones.visibleTo(user),
    ]);
    const me = users.find((u) => u.id === String(user.id));
    if (!me) throw new Error(`user ${user.id} is gone`);
    return { at: new Date().toISOString(), me, calls, users, phones, test: this.config.TEST_MODE };
  }

  private async activeCalls(user: AuthUser): Promise<SnapshotCall[]> {
    const calls = await this.calls.active(this.access.listScope(user));
    const ringingIds = calls.filter((c) => c.status === 'ringing').map((c) => c.id);
    const companyIds = calls.flatMap((c) => (c.callerCompanyId ? [c.callerCompanyId] : []));
    const [ringing, companies] = await Promise.all([this.calls.ringingPhones(ringingIds), this.cards.companies(companyIds)]);
    return calls.map((call) => ({
      call,
      company: call.callerCompanyId ? (companies.get(call.callerCompanyId) ?? null) : null,
      ringing: ringing.get(call.id) ?? [],
    }));
  }
}
