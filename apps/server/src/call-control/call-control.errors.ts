import { HttpStatus } from '@nestjs/common';
import type { CallControlErrorCode } from '@app/contracts';
import { DomainError } from '../common/errors/domain-error';

/** How each call-control refusal maps to HTTP (the socket ack carries the same code). */
export const CALL_CONTROL_HTTP_STATUS: Record<CallControlErrorCode, HttpStatus> = {
  VALIDATION_FAILED: HttpStatus.BAD_REQUEST,
  CALL_NOT_FOUND: HttpStatus.NOT_FOUND,
  CALL_ENDED: HttpStatus.CONFLICT,
  NOT_A_PARTY: HttpStatus.FORBIDDEN,
  NO_EXTENSION: HttpStatus.UNPROCESSABLE_ENTITY,
  TARGET_NOT_FOUND: HttpStatus.UNPROCESSABLE_ENTITY,
  TARGET_IS_SOURCE: HttpStatus.UNPROCESSABLE_ENTITY,
  INVALID_STATE: HttpStatus.CONFLICT,
  NOT_SUPPORTED: HttpStatus.UNPROCESSABLE_ENTITY,
  NOT_A_QUEUE_MEMBER: HttpStatus.CONFLICT,
  PBX_UNAVAILABLE: HttpStatus.SERVICE_UNAVAILABLE,
  PBX_REFUSED: HttpStatus.BAD_GATEWAY,
  ORIGINATE_FAILED: HttpStatus.BAD_GATEWAY,
  NOT_CONFIRMED: HttpStatus.GATEWAY_TIMEOUT,
};

/** A command refused or failed, with the code the socket ack and the REST error both carry. */
export class CallControlError extends DomainError {
  constructor(
    readonly controlCode: CallControlErrorCode,
    message: string,
    details?: unknown,
  ) {
    super(controlCode, CALL_CONTROL_HTTP_STATUS[controlCode], message, details);
  }
}
