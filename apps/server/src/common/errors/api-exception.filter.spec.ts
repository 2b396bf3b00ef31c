import { ArgumentsHost, Logger, NotFoundException } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { ApiExceptionFilter } from './api-exception.filter';
import { DomainError, ValidationFailedError } from './domain-error';

function respond(exception: unknown): { status: number; body: Record<string, unknown> } {
  const sent = { status: 0, body: {} as Record<string, unknown> };
  const response = {
    headersSent: false,
    status(code: number) {
      sent.status = code;
      return this;
    },
    json(body: Record<string, unknown>) {
      sent.body = body;
    },
  };
  const host = {
    switchToHttp: () => ({ getRequest: () => ({ originalUrl: '/api/things/5?q=secret', url: '/api/things/5?q=secret' }), getResponse: () => response }),
  } as unknown as ArgumentsHost;
  new ApiExceptionFilter().catch(exception, host);
  return sent;
}

function pgError(code: string, constraint?: string): QueryFailedError {
  const driverError = Object.assign(new Error('duplicate key value violates unique constraint "uq_x"'), { code, constraint, detail: 'Key (x)=(1) already exists.' });
  return new QueryFailedError('INSERT INTO things VALUES ($1)', [1], driverError);
}

describe('ApiExceptionFilter', () => {
  beforeAll(() => jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined));

  it('reports a domain error with its code, message and details, and the path without the query', () => {
    const { status, body } = respond(new ValidationFailedError([{ field: 'name', messages: ['is empty'] }]));
    expect(status).toBe(400);
    expect(body).toEqual({
      statusCode: 400,
      error: 'VALIDATION_FAILED',
      message: 'Request validation failed',
      details: [{ field: 'name', messages: ['is empty'] }],
      path: '/api/things/5',
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
  });

  it('maps Nest HTTP exceptions to a code by status', () => {
    expect(respond(new NotFoundException('Cannot GET /x')).body).toMatchObject({ statusCode: 404, error: 'NOT_FOUND', message: 'Cannot GET /x' });
    expect(respond(new DomainError('TEAPOT', 418, 'short and stout')).body).toMatchObject({ statusCode: 418, error: 'TEAPOT' });
  });

  it('turns unmapped PostgreSQL errors into codes without SQL or driver text', () => {
    const unique = respond(pgError('23505', 'uq_x'));
    expect(unique).toEqual({ status: 409, body: expect.objectContaining({ error: 'CONFLICT', message: 'A record with the same unique value already exists' }) });
    expect(respond(pgError('23503')).body).toMatchObject({ statusCode: 409, error: 'REFERENCE_CONFLICT' });
    expect(respond(pgError('22P02')).body).toMatchObject({ statusCode: 400, error: 'BAD_REQUEST' });
    const other = respond(pgError('42P01'));
    expect(other.body).toMatchObject({ statusCode: 500, error: 'INTERNAL_ERROR', message: 'Internal server error' });
    for (const { body } of [unique, other]) expect(JSON.stringify(body)).not.toMatch(/INSERT|duplicate key|uq_x|Key \(/);
  });

  it('hides everything about an unexpected error', () => {
    const { status, body } = respond(new TypeError("Cannot read properties of undefined (reading 'id')"));
    expect(status).toBe(500);
    expect(body).toMatchObject({ error: 'INTERNAL_ERROR', message: 'Internal server error' });
    expect(body).not.toHaveProperty('details');
  });

  it('passes on safe body-parser errors (status + expose) but not their internals', () => {
    const tooLarge = Object.assign(new Error('request entity too large'), { status: 413, expose: true, type: 'entity.too.large' });
    expect(respond(tooLarge).body).toMatchObject({ statusCode: 413, error: 'PAYLOAD_TOO_LARGE', message: 'The request body was rejected' });
    const hidden = Object.assign(new Error('internal'), { status: 400, expose: false });
    expect(respond(hidden).body).toMatchObject({ statusCode: 500 });
  });
});
