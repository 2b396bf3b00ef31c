import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { ErrorResponseDto } from '../errors/error-response.dto';

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input (error VALIDATION_FAILED lists the fields in details)',
  401: 'Missing, invalid or expired bearer token (UNAUTHORIZED, INVALID_TOKEN, TOKEN_EXPIRED) or wrong credentials',
  403: 'The user role may not do this (FORBIDDEN; call control: NOT_A_PARTY, your phone is not on the call)',
  404: 'No such record',
  409: 'Conflicts with existing data (duplicate username, email, phone, company name or INN) or state (call control: CALL_ENDED, INVALID_STATE)',
  413: 'Payload too large',
  415: 'Unsupported content type',
  422: 'Understood but not possible (call control: no such transfer target, target is the source, no extension, not supported)',
  429: 'Too many attempts; retry after the Retry-After header',
  502: 'The PBX refused the action (PBX_REFUSED, ORIGINATE_FAILED; its message is quoted)',
  503: 'A dependency (the database, the PBX) is down',
  504: 'The PBX accepted the action but its events did not confirm it in time (NOT_CONFIRMED)',
};

/** Documents error statuses of an endpoint with the shared error body. */
export function ApiErrorResponses(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(...statuses.map((status) => ApiResponse({ status, description: DESCRIPTIONS[status], type: ErrorResponseDto })));
}
