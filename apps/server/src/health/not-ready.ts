import { problemsOf, type ReadinessReport } from './readiness.service';

/** The message of a 503 NOT_READY: which checks are down. */
export function notReadyMessage(report: ReadinessReport): string {
  return report.status === 'shutting_down' ? 'Not ready: the process is shutting down' : `Not ready: ${problemsOf(report)}`;
}
