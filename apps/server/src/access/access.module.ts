import { Global, Module } from '@nestjs/common';
import { CallAccess } from './call-access';

/** The access policy, available to every context. */
@Global()
@Module({ providers: [CallAccess], exports: [CallAccess] })
export class AccessModule {}
