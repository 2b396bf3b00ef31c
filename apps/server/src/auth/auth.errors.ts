import { HttpStatus } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error';

export class InvalidCredentialsError extends DomainError {
  constructor() {
    super('INVALID_CREDENTIALS', HttpStatus.UNAUTHORIZED, 'Wrong username or password');
  }
}

export class MissingTokenError extends DomainError {
  constructor() {
    super('UNAUTHORIZED', HttpStatus.UNAUTHORIZED, 'A bearer token is required');
  }
}

export class InvalidTokenError extends DomainError {
  constructor() {
    super('INVALID_TOKEN', HttpStatus.UNAUTHORIZED, 'The bearer token is not valid');
  }
}

export class TokenExpiredError extends DomainError {
  constructor() {
    super('TOKEN_EXPIRED', HttpStatus.UNAUTHORIZED, 'The bearer token has expired; log in again');
  }
}

export class TokenRevokedError extends DomainError {
  constructor() {
    super('TOKEN_REVOKED', HttpStatus.UNAUTHORIZED, 'The bearer token was revoked (password changed or logged out); log in again');
  }
}

export class UserDeactivatedError extends DomainError {
  constructor() {
    super('USER_DEACTIVATED', HttpStatus.UNAUTHORIZED, 'This account is deactivated; ask an admin');
  }
}

export class RoleRequiredError extends DomainError {
  constructor(roles: readonly string[]) {
    super('FORBIDDEN', HttpStatus.FORBIDDEN, `This requires the role ${roles.join(' or ')}`);
  }
}
