import { HttpStatus } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error';

export class UsernameTakenError extends DomainError {
  constructor(username: string | null) {
    super('USERNAME_TAKEN', HttpStatus.CONFLICT, username ? `Username "${username}" is already taken` : 'Username is already taken');
  }
}

export class EmailTakenError extends DomainError {
  constructor(email: string | null) {
    super('EMAIL_TAKEN', HttpStatus.CONFLICT, email ? `Email "${email}" is already in use` : 'Email is already in use');
  }
}

export class LastAdminError extends DomainError {
  constructor() {
    super('LAST_ADMIN', HttpStatus.CONFLICT, 'The last active admin cannot be deleted, deactivated or lose the admin role');
  }
}
