import { HttpStatus } from '@nestjs/common';
import type { RecordingStatus } from '@app/contracts';
import { DomainError } from '../common/errors/domain-error';

/** A name or key that would leave the recordings folder: never served, never opened. */
export class UnsafeRecordingPathError extends DomainError {
  constructor(reason: string) {
    super('RECORDING_PATH_REFUSED', HttpStatus.NOT_FOUND, `The recording's file is not served: ${reason}`);
  }
}

/** The row exists (and the user may hear it) but there is no file to send. */
export class RecordingFileUnavailableError extends DomainError {
  constructor(id: number, status: RecordingStatus, reason: string | null) {
    const why: Record<RecordingStatus, string> = {
      pending: 'its file has not appeared yet (the call is still recording, or the PBX is still writing it)',
      ready: 'its file is no longer in storage',
      empty: 'its file holds no audio',
      missing: 'its file never appeared',
      rejected: 'the PBX named an unsafe file',
      deleted: 'its file was deleted by the retention policy',
    };
    super('RECORDING_FILE_UNAVAILABLE', HttpStatus.NOT_FOUND, `Recording ${id} cannot be played: ${why[status]}${reason ? ` (${reason})` : ''}`, { status });
  }
}

export class InvalidRecordingCursorError extends DomainError {
  constructor() {
    super('INVALID_CURSOR', HttpStatus.BAD_REQUEST, 'The cursor is not one this list returned');
  }
}

export class RangeNotSatisfiableError extends DomainError {
  constructor(size: number) {
    super('RANGE_NOT_SATISFIABLE', HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE, `No requested range overlaps the recording's ${size} bytes`);
  }
}
