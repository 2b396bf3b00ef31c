import { HttpStatus } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error';

export class InvalidCursorError extends DomainError {
  constructor() {
    super('INVALID_CURSOR', HttpStatus.BAD_REQUEST, 'The cursor is not one this list returned (or belongs to another sort order)');
  }
}

export class InvalidPeriodError extends DomainError {
  constructor(message: string) {
    super('INVALID_PERIOD', HttpStatus.BAD_REQUEST, message);
  }
}

export class SimulatedCallNotFoundError extends DomainError {
  constructor(id: string) {
    super('SIMULATED_CALL_NOT_FOUND', HttpStatus.NOT_FOUND, `No simulated call ${id} is in progress`);
  }
}

export class SimulatedCallStateError extends DomainError {
  constructor(id: string, action: string, state: string) {
    super('SIMULATED_CALL_STATE', HttpStatus.CONFLICT, `Simulated call ${id} cannot ${action}: it is ${state}`);
  }
}

export class SimulatorBusyError extends DomainError {
  constructor(limit: number) {
    super('SIMULATOR_BUSY', HttpStatus.TOO_MANY_REQUESTS, `At most ${limit} simulated calls can run at once`);
  }
}
