import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import { ValidationFailedError } from '../errors/domain-error';
import { unsafeTextProblems } from './safe-text';

/**
 * Global, before validation: a NUL or an unpaired surrogate anywhere in a body, query or
 * path parameter is a 400 naming the field, whatever the DTO says. PostgreSQL cannot store
 * either in text, so letting one through turns into a 500 (or a lost audit row) later.
 */
@Injectable()
export class SafeTextPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'custom') return value;
    const problems = unsafeTextProblems(value, metadata.data ?? '');
    if (problems.length > 0) throw new ValidationFailedError(problems);
    return value;
  }
}
