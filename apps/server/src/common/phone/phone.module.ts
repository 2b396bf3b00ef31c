import { Global, Module } from '@nestjs/common';
import { PhoneNormalizer } from './phone-normalizer';

@Global()
@Module({ providers: [PhoneNormalizer], exports: [PhoneNormalizer] })
export class PhoneModule {}
