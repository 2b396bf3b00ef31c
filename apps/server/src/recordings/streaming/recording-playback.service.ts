import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { CallAccess } from '../../access';
import { Authenticator, bearerToken, SignedUrlInvalidError, SignedUrls } from '../../auth';
import type { AuthUser } from '../../common/auth';
import { NotFoundError } from '../../common/errors/domain-error';
import { AppConfig } from '../../config/app-config';
import { streamPath } from '../files/recording-url';
import { RecordingsMetrics } from '../jobs/recordings-metrics';
import { RecordingFileUnavailableError } from '../recordings.errors';
import { RecordingsService, type RecordingForStream } from '../recordings.service';
import { RecordingStores } from '../storage/recording-stores';
import { PlaybackAudit } from './playback-audit';
import { contentTypeOf, downloadName } from './recording-media';
import { sendRecording } from './recording-responder';

export interface StreamRequest {
  download?: boolean;
  uid?: string;
  exp?: string;
  sig?: string;
}

/** The resource a signed URL covers: one recording, played or downloaded. */
function signedResource(id: number, download: boolean): string {
  return `recording:${id}:${download ? 'download' : 'play'}`;
}

/**
 * Playback of recordings: who may hear one (CallAccess, at every request), signed URLs for
 * players that cannot send a header, the audit entry, and the bytes from wherever the file is.
 */
@Injectable()
export class RecordingPlaybackService {
  constructor(
    private readonly recordings: RecordingsService,
    private readonly access: CallAccess,
    private readonly authenticator: Authenticator,
    private readonly signer: SignedUrls,
    private readonly stores: RecordingStores,
    private readonly audit: PlaybackAudit,
    private readonly metrics: RecordingsMetrics,
    private readonly config: AppConfig,
  ) {}

  /** The recording if the user may hear it; "not found" otherwise, as for calls. */
  async viewable(id: number, user: AuthUser): Promise<RecordingForStream> {
    const recording = await this.recordings.forStream(id);
    if (!this.access.canView(user, recording.access)) throw new NotFoundError('recording', id);
    return recording;
  }

  /** A play and a download URL, bound to this recording and this user, valid RECORDINGS_URL_TTL. */
  async signedUrls(id: number, user: AuthUser): Promise<{ url: string; downloadUrl: string; expiresAt: string }> {
    await this.viewable(id, user);
    const ttl = this.config.recordingsUrlTtlSeconds;
    const play = await this.signer.sign(signedResource(id, false), user.id, ttl);
    const download = await this.signer.sign(signedResource(id, true), user.id, ttl);
    const query = (s: { uid: string; exp: string; sig: string }) => `uid=${s.uid}&exp=${s.exp}&sig=${s.sig}`;
    return { url: `${streamPath(id)}?${query(play)}`, downloadUrl: `${streamPath(id)}?download=true&${query(download)}`, expiresAt: play.expiresAt.toISOString() };
  }

  async stream(id: number, request: StreamRequest, req: Request, res: Response): Promise<void> {
    const download = request.download === true;
    const { user, via } = await this.authorise(id, download, request, req);
    const recording = await this.viewable(id, user);
    const { entry } = recording;
    if ((entry.status !== 'ready' && entry.status !== 'empty') || !recording.storageKey) throw new RecordingFileUnavailableError(id, entry.status, entry.statusReason);
    const store = this.stores.of(entry.storage);
    const file = store ? await store.open(recording.storageKey) : null;
    if (!store || !file) throw new RecordingFileUnavailableError(id, 'ready', store ? null : `it is in ${entry.storage} storage, which is not configured`);
    try {
      if (req.method !== 'HEAD') {
        await this.audit.record({ userId: user.id, ip: req.ip ?? null }, { kind: download ? 'download' : 'play', recordingId: id, callId: entry.callId, via, range: req.headers.range ?? null });
        this.metrics.streamed.inc({ kind: download ? 'download' : 'play' });
      }
      const extension = entry.format === 'opus' ? 'opus' : (recording.storageKey.split('.').pop() ?? 'bin');
      await sendRecording(req, res, {
        file,
        contentType: contentTypeOf(entry.format),
        downloadName: download ? downloadName(entry.callId, recording.call, extension) : null,
        version: `${id}-${entry.storage}-${entry.format ?? 'x'}`,
      });
    } finally {
      await file.close();
    }
  }

  /**
   * The user behind a stream request: a bearer token, or a signed URL issued for exactly this
   * recording and kind. A signed URL presented with another user's token is refused.
   */
  private async authorise(id: number, download: boolean, request: StreamRequest, req: Request): Promise<{ user: AuthUser; via: 'bearer' | 'signed-url' }> {
    const token = bearerToken(req.headers.authorization);
    const signed = request.sig !== undefined || request.uid !== undefined || request.exp !== undefined;
    if (!signed) return { user: await this.authenticator.authenticate(token), via: 'bearer' };
    const user = await this.signer.verify(signedResource(id, download), request);
    if (token) {
      const bearer = await this.authenticator.authenticate(token);
      if (bearer.id !== user.id) throw new SignedUrlInvalidError('it was issued to another user');
    }
    return { user, via: 'signed-url' };
  }
}
