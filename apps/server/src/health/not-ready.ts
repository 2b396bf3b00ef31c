import { HttpStatus } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error';
import { problemsOf, type ReadinessReport } from './readiness.service';

/** The 503 NOT_READY of a report that is not ready: which checks are down, and all of them in the details. */
export function notReadyError(report: ReadinessReport): DomainError {
  const message = report.status === 'shutting_down' ? 'Not ready: the process is shutting down' : `Not ready: ${problemsOf(report)}`;
  return new DomainError('NOT_READY', HttpStatus.SERVICE_UNAVAILABLE, message, { status: report.status, checks: report.checks, mode: report.mode });
}
