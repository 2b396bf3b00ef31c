import { ChannelClassifier } from './channel-name';
import { RecentIds } from './recent-ids';
import type { StoredRecording } from './call-record';
import type { CallSurroundings, TrackedCall, TrackedChannel } from './tracked-call';

/** A CoreShowChannels listing in progress: which channels it named, and from when it counts. */
export interface SnapshotInProgress {
  /** Channels last heard of before this sequence number and not listed are gone. */
  readonly beginSeq: number;
  readonly actionId: string | undefined;
  readonly seen: Set<TrackedChannel>;
}

/** Everything the tracker knows about one PBX. */
export class PbxState implements CallSurroundings {
  readonly channels = new Map<string, TrackedChannel>();
  /** Every Linkedid a live call has had -> that call. */
  readonly calls = new Map<string, TrackedCall>();
  readonly bridges = new Map<string, Set<TrackedChannel>>();
  /** Local channels by name, to find the other half of a pair. */
  readonly locals = new Map<string, TrackedChannel>();
  /** Uniqueids that hung up recently: their late events are dropped. */
  readonly gone: RecentIds;
  /** Linkedids of calls that ended recently: a straggler channel must not reopen them as a second record. */
  readonly endedCalls: RecentIds;
  /** Counts handled messages; orders "last heard of" against a snapshot's start. */
  seq = 0;
  /** Arrival time of the last handled message: "now" for records of calls in progress. */
  lastAt = 0;
  /** When the AMI connection was lost (or the PBX restarted); cleared by the next snapshot. */
  lostAt: number | null = null;
  snapshot: SnapshotInProgress | null = null;
  /** Recordings an ingest stored for the PBX's open calls, by file (see CallTracker.storedRecordings). */
  readonly storedRecordings = new Map<string, StoredRecording>();

  constructor(
    readonly pbxId: string,
    recentLimit: number,
  ) {
    this.gone = new RecentIds(recentLimit);
    this.endedCalls = new RecentIds(recentLimit);
  }

  localPartner(ch: TrackedChannel): TrackedChannel | undefined {
    if (ch.kind !== 'local') return undefined;
    const partnerName = ChannelClassifier.localPartnerName(ch.name);
    return partnerName === null ? undefined : this.locals.get(partnerName);
  }

  liveCalls(): TrackedCall[] {
    return [...new Set(this.calls.values())];
  }
}
