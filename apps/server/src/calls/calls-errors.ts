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
