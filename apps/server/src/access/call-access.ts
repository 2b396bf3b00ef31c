import { Injectable } from '@nestjs/common';
import type { CallView } from '@app/contracts';
import type { AuthUser } from '../common/auth';

/** What a list query needs to show only the calls a user may see. */
export interface CallListScope {
  /** Only calls this user took part in; undefined: every call. */
  participantId?: number;
}

/** The parts of a call the policy reads. */
export type CallAccessSubject = Pick<CallView, 'participantUserIds' | 'assignedUserId' | 'endedAt'>;

/**
 * The one answer to "may this user see / act on this call?", for REST, the Socket.IO
 * gateway, call control and recordings alike.
 *
 * Supervisors and admins see and control every call. An operator sees the calls they took
 * part in: their phone rang, answered or transferred it, they placed it, or it is assigned
 * to them (the ingest keeps that list in `participant_user_ids`). An operator acts only on a
 * call in progress that they take part in.
 */
@Injectable()
export class CallAccess {
  listScope(user: AuthUser): CallListScope {
    return seesEverything(user) ? {} : { participantId: user.id };
  }

  canView(user: AuthUser, call: CallAccessSubject): boolean {
    return seesEverything(user) || isParticipant(user, call);
  }

  canControl(user: AuthUser, call: CallAccessSubject): boolean {
    if (call.endedAt !== null) return false;
    return seesEverything(user) || isParticipant(user, call);
  }

  /** Supervisors and admins: every call, without being named on it. */
  seesAllCalls(user: Pick<AuthUser, 'role'>): boolean {
    return seesEverything(user);
  }

  /**
   * Besides those who see all calls, the users who may see this one: whom a push about it
   * goes to (canView is true for exactly these and the supervisors).
   */
  viewerIds(call: Pick<CallAccessSubject, 'participantUserIds' | 'assignedUserId'>): string[] {
    const ids = new Set(call.participantUserIds);
    if (call.assignedUserId !== null) ids.add(call.assignedUserId);
    return [...ids];
  }
}

function seesEverything(user: Pick<AuthUser, 'role'>): boolean {
  return user.role === 'supervisor' || user.role === 'admin';
}

function isParticipant(user: AuthUser, call: CallAccessSubject): boolean {
  const id = String(user.id);
  return call.assignedUserId === id || call.participantUserIds.includes(id);
}
