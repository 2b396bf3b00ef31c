import { Injectable } from '@nestjs/common';
import { AuditService, type Actor } from '../../audit';

/** A player sends a request per seek: one audit entry per user, recording and kind in this window. */
const WINDOW_MS = 10 * 60_000;
const REMEMBERED = 10_000;

export interface PlaybackEvent {
  kind: 'play' | 'download';
  recordingId: number;
  callId: string;
  /** How the request was authorised. */
  via: 'bearer' | 'signed-url';
  range: string | null;
}

/**
 * Writes every playback and download to the audit log (`recording.play`, `recording.download`).
 * The Range requests of one listening (seeks, the browser's probing) fall in one window and
 * make one entry; a new listening after the window, another user or the other kind make another.
 */
@Injectable()
export class PlaybackAudit {
  private readonly lastLogged = new Map<string, number>();

  constructor(private readonly audit: AuditService) {}

  async record(actor: Actor, event: PlaybackEvent, now = Date.now()): Promise<void> {
    const key = `${actor.userId}:${event.recordingId}:${event.kind}`;
    const last = this.lastLogged.get(key);
    if (last !== undefined && now - last < WINDOW_MS) return;
    this.lastLogged.delete(key);
    this.lastLogged.set(key, now);
    if (this.lastLogged.size > REMEMBERED) this.lastLogged.delete(this.lastLogged.keys().next().value!);
    await this.audit.record(actor, {
      action: `recording.${event.kind}`,
      target: `recording:${event.recordingId}`,
      details: { callId: event.callId, via: event.via, range: event.range },
    });
  }
}
