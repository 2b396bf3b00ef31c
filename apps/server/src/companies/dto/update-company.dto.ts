import { PartialType } from '@nestjs/swagger';
import { CreateCompanyDto } from './create-company.dto';

/** Every field optional; `phones`, when given, replaces the whole list. */
export class UpdateCompanyDto extends PartialType(CreateCompanyDto) {}
