import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { ErrorResponseDto } from '../errors/error-response.dto';

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input (error VALIDATION_FAILED lists the fields in details)',
  401: 'Missing, invalid or expired bearer token (UNAUTHORIZED, INVALID_TOKEN, TOKEN_EXPIRED) or wrong credentials',
  403: 'The user role may not do this (FORBIDDEN)',
  404: 'No such record',
  409: 'Conflicts with existing data (duplicate username, email, phone, company name or INN)',
  413: 'Payload too large',
  415: 'Unsupported content type',
  429: 'Too many attempts; retry after the Retry-After header',
  503: 'A dependency (the database) is down',
};

/** Documents error statuses of an endpoint with the shared error body. */
export function ApiErrorResponses(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(...statuses.map((status) => ApiResponse({ status, description: DESCRIPTIONS[status], type: ErrorResponseDto })));
}
