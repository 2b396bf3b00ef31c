import { applyDecorators, CanActivate, ExecutionContext, HttpStatus, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiConsumes } from '@nestjs/swagger';
import type { Request } from 'express';
import { DomainError } from '../errors/domain-error';

const CONSUMES = 'http:consumes';
const JSON_ONLY = ['application/json'];

/** The media types a route reads its body in, documented and enforced (the default is JSON). */
export const Consumes = (...types: string[]): MethodDecorator => applyDecorators(ApiConsumes(...types), SetMetadata(CONSUMES, types));

export class UnsupportedMediaTypeError extends DomainError {
  constructor(accepted: string[]) {
    super('UNSUPPORTED_MEDIA_TYPE', HttpStatus.UNSUPPORTED_MEDIA_TYPE, `Send the body as ${accepted.join(' or ')}`, { accepted });
  }
}

/**
 * Global: a request that carries a body must send it in a type the route reads. Without
 * this, an XML or form body is parsed to nothing (or to strings) and a PATCH answers 200
 * having changed nothing.
 */
@Injectable()
export class ContentTypeGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<Request>();
    if (!hasBody(request)) return true;
    const accepted = this.reflector.get<string[] | undefined>(CONSUMES, context.getHandler()) ?? JSON_ONLY;
    const type = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (!accepted.includes(type)) throw new UnsupportedMediaTypeError(accepted);
    return true;
  }
}

function hasBody(request: Request): boolean {
  if (request.headers['transfer-encoding'] !== undefined) return true;
  const length = Number(request.headers['content-length'] ?? 0);
  return Number.isFinite(length) && length > 0;
}
