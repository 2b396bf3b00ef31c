import { HttpStatus } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error';

export class InvalidCursorError extends DomainError {
  constructor() {
    super('INVALID_CURSOR', HttpStatus.BAD_REQUEST, 'The cursor is not one this list returned (or belongs to another sort order)');
  }
}
