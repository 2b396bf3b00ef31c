import { Global, Module } from '@nestjs/common';
import { OwnedPhones } from './owned-phones';
import { PhoneNormalizer } from './phone-normalizer';

@Global()
@Module({ providers: [PhoneNormalizer, OwnedPhones], exports: [PhoneNormalizer, OwnedPhones] })
export class PhoneModule {}
