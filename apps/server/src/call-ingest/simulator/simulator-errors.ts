import { HttpStatus } from '@nestjs/common';
import { DomainError } from '../../common/errors/domain-error';

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
