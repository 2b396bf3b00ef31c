import { HttpStatus } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error';

export class CompanyNameTakenError extends DomainError {
  constructor(name: string | null) {
    super('COMPANY_NAME_TAKEN', HttpStatus.CONFLICT, name ? `A company named "${name}" already exists` : 'A company with this name already exists');
  }
}

export class InnTakenError extends DomainError {
  constructor(inn: string | null) {
    super('INN_TAKEN', HttpStatus.CONFLICT, inn ? `INN ${inn} already belongs to a company` : 'This INN already belongs to a company');
  }
}

export class InvalidCsvError extends DomainError {
  constructor(message: string) {
    super('INVALID_CSV', HttpStatus.BAD_REQUEST, message);
  }
}

export class CsvMissingError extends DomainError {
  constructor() {
    super('UNSUPPORTED_MEDIA_TYPE', HttpStatus.UNSUPPORTED_MEDIA_TYPE, 'Send the CSV as multipart/form-data (field "file") or with Content-Type: text/csv');
  }
}
