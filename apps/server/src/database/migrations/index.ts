import { UsersAndCompanies1795650000000 } from './1795650000000-users-and-companies';
import { Calls1795650100000 } from './1795650100000-calls';
import { AuditLog1795650200000 } from './1795650200000-audit-log';
import { CallsIngest1795651000000 } from './1795651000000-calls-ingest';
import { CallsStatsIndexes1795651100000 } from './1795651100000-calls-stats-indexes';
import { CallParticipants1795652000000 } from './1795652000000-call-participants';
import { CallsWriters1795653000000 } from './1795653000000-calls-writers';
import { RecordingFiles1795654000000 } from './1795654000000-recording-files';
import { CallsEndSource1795655000000 } from './1795655000000-calls-end-source';
import { UserActive1795656000000 } from './1795656000000-user-active';
import { UserTokenVersion1795656500000 } from './1795656500000-user-token-version';
import { CallsPartitioned1795657000000 } from './1795657000000-calls-partitioned';
import { CallStatsRollup1795658000000 } from './1795658000000-call-stats-rollup';
import { CallStatsReadPaths1795659000000 } from './1795659000000-call-stats-read-paths';
import { CallStatsSecondsBins1795659100000 } from './1795659100000-call-stats-seconds-bins';
import { CallStatsClockHours1795659200000 } from './1795659200000-call-stats-clock-hours';
import { CallStatsClockHalves1795659300000 } from './1795659300000-call-stats-clock-halves';
import { CallMissedByNumber1795659400000 } from './1795659400000-call-missed-by-number';
import { CallStatsDeferred1795659500000 } from './1795659500000-call-stats-deferred';
import { CallStatsArchiveSerialised1795659600000 } from './1795659600000-call-stats-archive-serialised';

/**
 * Every migration, oldest first. Listed explicitly (not globbed) so the same list works from
 * TypeScript sources, a `nest build` output and jest; a spec fails if a file here is missing.
 */
export const MIGRATIONS = [
  UsersAndCompanies1795650000000, Calls1795650100000, AuditLog1795650200000, CallsIngest1795651000000, CallsStatsIndexes1795651100000,
  CallParticipants1795652000000, CallsWriters1795653000000, RecordingFiles1795654000000, CallsEndSource1795655000000, UserActive1795656000000,
  UserTokenVersion1795656500000, CallsPartitioned1795657000000, CallStatsRollup1795658000000,
  CallStatsReadPaths1795659000000, CallStatsSecondsBins1795659100000, CallStatsClockHours1795659200000,
  CallStatsClockHalves1795659300000, CallMissedByNumber1795659400000, CallStatsDeferred1795659500000,
  CallStatsArchiveSerialised1795659600000,
];
