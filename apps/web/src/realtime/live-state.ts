import {
  compareCallVersions,
  type CallAnsweredEvent,
  type CallEndedEvent,
  type CallIncomingEvent,
  type CallUpdatedEvent,
  type CallView,
  type CompanyCard,
  type PartyStep,
  type PhoneState,
  type RealtimeSnapshot,
  type UserCard,
  type UserPresence,
  type UserStatusEvent,
} from '@app/contracts';

/** A call in progress as the live screens show it. */
export interface LiveCall {
  /** The newest state received (its version: lastEventAt, eventSeq). */
  call: CallView;
  company: CompanyCard | null;
  /** The names call events do not carry, kept from the snapshot, the popup's cards and the user list. */
  companyName: string | null;
  assignedUserName: string | null;
  /** The phones ringing now (empty once answered). */
  ringing: PartyStep[];
  /** This user's phone rings on it and they have not dismissed the popup. */
  popup: boolean;
  /** Tracked by an ingest in TEST_MODE: not stored, its id is no database id. */
  test: boolean;
  /**
   * Who talks on the call now as its pushes told: the user who answered, then each transfer's
   * target (null: nobody's, e.g. a number outside). Undefined when not seen (a snapshot): the
   * assigned user stands in. The stored assigned user follows a transfer only at the call's end.
   */
  agentUserId?: string | null;
  /** That user's name when this user's list has it (supervisors: everyone; operators: themselves). */
  agentName?: string | null;
}

/** What the live screens render; a new object whenever anything changed. */
export interface LiveView {
  /** The snapshot's time: when the state was last rebuilt from the server (null before the first). */
  syncedAt: string | null;
  /** This browser's clock minus the server's (at the snapshot), so running durations agree with the server's times. */
  clockSkewMs: number;
  me: UserPresence | null;
  /** Calls in progress, newest first. */
  calls: LiveCall[];
  /** Calls whose popup is open, oldest first (the first one rang first). */
  popups: LiveCall[];
  /** Calls that ended while the page was open, newest first (at most RECENT_ENDED). */
  recentlyEnded: LiveCall[];
  /** Supervisors and admins: every user; operators: themselves. */
  users: UserPresence[];
  /** Phones by the PBX's report, with their user. */
  phones: PhoneState[];
}

/** Ended calls kept: to recognise late duplicates (version rule), and the last few to show. */
const ENDED_KEPT = 500;
const RECENT_ENDED = 10;

export const EMPTY_LIVE_VIEW: LiveView = { syncedAt: null, clockSkewMs: 0, me: null, calls: [], popups: [], recentlyEnded: [], users: [], phones: [] };

export const cardName = (card: UserCard): string => card.fullName || card.username;
/** The user the call is with now: the pushes' answer or transfer target, else the assigned user. */
export const currentAgent = (live: LiveCall): string | null => (live.agentUserId !== undefined ? live.agentUserId : live.call.assignedUserId);
const phoneKey = (phone: Pick<PhoneState, 'pbxId' | 'extension'>) => `${phone.pbxId}/${phone.extension}`;
const byNewest = (a: LiveCall, b: LiveCall) => b.call.startedAt.localeCompare(a.call.startedAt) || Number(b.call.id) - Number(a.call.id);

/**
 * The browser's state of the realtime gateway, kept by the rules of docs/realtime.md: a snapshot
 * replaces everything; a call event applies only when its call version is newer than the one
 * held (duplicates after a reconnect, late pushes of an ended call are dropped); a popup opens
 * on `call:incoming` for this user's phone and closes at the answer, the end or a dismissal.
 * Pure: the socket feeds it, React reads `view()`.
 */
export class LiveState {
  private me: UserPresence | null = null;
  private syncedAt: string | null = null;
  private clockSkewMs = 0;
  private readonly calls = new Map<string, LiveCall>();
  /** Insertion order is end order: the oldest is evicted first. */
  private readonly endedCalls = new Map<string, LiveCall>();
  private readonly dismissed = new Set<string>();
  private readonly users = new Map<string, UserPresence>();
  private readonly phones = new Map<string, PhoneState>();
  private readonly listeners = new Set<() => void>();
  private cached: LiveView = EMPTY_LIVE_VIEW;
  private dirty = false;

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The same object until something changes (for useSyncExternalStore). */
  view(): LiveView {
    if (this.dirty) {
      this.dirty = false;
      const calls = [...this.calls.values()].sort(byNewest);
      this.cached = {
        syncedAt: this.syncedAt,
        clockSkewMs: this.clockSkewMs,
        me: this.me,
        calls,
        popups: calls.filter((c) => c.popup).reverse(),
        recentlyEnded: [...this.endedCalls.values()].slice(-RECENT_ENDED).reverse(),
        users: [...this.users.values()].sort((a, b) => cardName(a).localeCompare(cardName(b))),
        phones: [...this.phones.values()].sort((a, b) => a.extension.localeCompare(b.extension, undefined, { numeric: true })),
      };
    }
    return this.cached;
  }

  /** Whether this is the signed-in user (popups, "my calls"). */
  isMe(userId: string | null | undefined): boolean {
    return userId != null && userId === this.me?.id;
  }

  snapshot(snapshot: RealtimeSnapshot, receivedAt = Date.now()): void {
    this.me = snapshot.me;
    this.syncedAt = snapshot.at;
    this.clockSkewMs = receivedAt - Date.parse(snapshot.at);
    this.users.clear();
    for (const user of [snapshot.me, ...snapshot.users]) this.users.set(user.id, user);
    this.phones.clear();
    for (const phone of snapshot.phones) this.phones.set(phoneKey(phone), phone);
    this.calls.clear();
    for (const { call, company, ringing } of snapshot.calls) {
      const rings = call.status === 'ringing' ? ringing : [];
      this.calls.set(call.id, {
        call,
        company,
        companyName: call.callerCompanyName,
        assignedUserName: call.assignedUserName,
        ringing: rings,
        popup: rings.some((phone) => this.isMe(phone.userId)) && !this.dismissed.has(call.id),
        test: snapshot.test,
      });
    }
    // A call the snapshot no longer lists has ended; its dismissal is no longer needed.
    for (const id of this.dismissed) if (!this.calls.has(id)) this.dismissed.delete(id);
    this.changed();
  }

  incoming(event: CallIncomingEvent): void {
    const previous = this.accept(event.call);
    if (previous === undefined) return;
    const ringing = [...(previous?.ringing ?? []).filter((phone) => phone.channel !== event.ringing.channel), event.ringing];
    this.put(event.call, previous, {
      company: event.company ?? previous?.company ?? null,
      assignedUserName: event.assignedUser ? cardName(event.assignedUser) : undefined,
      ringing,
      popup: (this.isMe(event.ringing.userId) || (previous?.popup ?? false)) && !this.dismissed.has(event.call.id),
      test: event.test,
    });
  }

  answered(event: CallAnsweredEvent): void {
    const previous = this.accept(event.call);
    if (previous === undefined) return;
    this.put(event.call, previous, { ringing: [], popup: false, test: event.test, agentUserId: event.answeredBy.userId ?? undefined });
  }

  updated(event: CallUpdatedEvent): void {
    const previous = this.accept(event.call);
    if (previous === undefined) return;
    const { step } = event;
    // Another phone rings on a call this user sees (a supervisor, a colleague's ring group).
    const ringing = step.type === 'ringing' ? [...(previous?.ringing ?? []).filter((phone) => phone.channel !== step.channel), step] : previous?.ringing ?? [];
    this.put(event.call, previous, {
      ringing: event.call.status === 'ringing' ? ringing : [],
      popup: event.call.status === 'ringing' && (previous?.popup ?? false),
      test: event.test,
      ...(step.type === 'transferred' && { agentUserId: step.toUserId }),
    });
  }

  ended(event: CallEndedEvent): void {
    const previous = this.accept(event.call);
    if (previous === undefined) return;
    const last = this.merged(event.call, previous, { ringing: [], popup: false, test: event.test });
    this.calls.delete(event.call.id);
    this.dismissed.delete(event.call.id);
    this.endedCalls.delete(event.call.id);
    this.endedCalls.set(event.call.id, last);
    if (this.endedCalls.size > ENDED_KEPT) this.endedCalls.delete(this.endedCalls.keys().next().value!);
    this.changed();
  }

  userStatus(event: UserStatusEvent): void {
    if (event.kind === 'device') {
      const { kind: _kind, ...phone } = event;
      this.phones.set(phoneKey(phone), phone);
    } else {
      const user = this.users.get(event.userId);
      if (!user) return;
      const updated = { ...user, status: event.status };
      this.users.set(user.id, updated);
      if (this.isMe(user.id)) this.me = updated;
    }
    this.changed();
  }

  /** The user closed the popup: it stays closed for this call, even across a reconnect's snapshot. */
  dismiss(callId: string): void {
    const call = this.calls.get(callId);
    this.dismissed.add(callId);
    if (!call?.popup) return;
    this.calls.set(callId, { ...call, popup: false });
    this.changed();
  }

  /** Logged out: nothing of the previous user stays. */
  reset(): void {
    this.me = null;
    this.syncedAt = null;
    for (const collection of [this.calls, this.endedCalls, this.users, this.phones]) collection.clear();
    this.dismissed.clear();
    this.changed();
  }

  /**
   * The view held of this call when `call` is newer than it (null when none is held), or
   * undefined when `call` is not newer: a duplicate or a late push, ignored.
   */
  private accept(call: CallView): LiveCall | null | undefined {
    const held = this.calls.get(call.id) ?? this.endedCalls.get(call.id);
    if (held && compareCallVersions(call, held.call) <= 0) return undefined;
    // A newer event about a call that ended: only possible for a reused id; treat as new.
    return this.calls.get(call.id) ?? null;
  }

  private put(call: CallView, previous: LiveCall | null, fields: Partial<Omit<LiveCall, 'call'>>): void {
    this.calls.set(call.id, this.merged(call, previous, fields));
    this.changed();
  }

  private merged(call: CallView, previous: LiveCall | null, fields: Partial<Omit<LiveCall, 'call'>>): LiveCall {
    const agentUserId = fields.agentUserId !== undefined ? fields.agentUserId : previous?.agentUserId;
    const company = fields.company !== undefined ? fields.company : (previous?.company ?? null);
    return {
      call,
      company,
      companyName: company && company.id === call.callerCompanyId ? company.name : call.callerCompanyId === previous?.call.callerCompanyId ? (previous?.companyName ?? null) : null,
      assignedUserName: fields.assignedUserName ?? this.assignedName(call, previous),
      ringing: fields.ringing ?? previous?.ringing ?? [],
      popup: fields.popup ?? previous?.popup ?? false,
      test: fields.test ?? previous?.test ?? false,
      agentUserId,
      agentName: agentUserId ? this.nameOf(agentUserId) : agentUserId,
    };
  }

  private nameOf(userId: string): string | null {
    const user = this.users.get(userId);
    return user ? cardName(user) : null;
  }

  /** The assigned user's name: kept while the same user, else from the user list when this user may see it. */
  private assignedName(call: CallView, previous: LiveCall | null): string | null {
    if (!call.assignedUserId) return null;
    if (previous && previous.call.assignedUserId === call.assignedUserId && previous.assignedUserName) return previous.assignedUserName;
    const user = this.users.get(call.assignedUserId);
    return user ? cardName(user) : null;
  }

  private changed(): void {
    this.dirty = true;
    for (const listener of this.listeners) listener();
  }
}
