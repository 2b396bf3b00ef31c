import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';
import { PageOf } from '../../common/dto/page.dto';
import { OwnedPhoneDto } from '../../common/phone/owned-phones';

export class CompanyPhoneDto extends OwnedPhoneDto {}

export class CompanyDto {
  @ApiProperty({ example: 5 })
  id: number;

  @ApiProperty({ example: 'ООО "Ромашка"' })
  name: string;

  @ApiProperty({ nullable: true, type: String, example: '7701234567' })
  inn: string | null;

  @ApiProperty({ nullable: true, type: String, example: 'office@romashka.ru' })
  email: string | null;

  @ApiProperty({ nullable: true, type: String })
  notes: string | null;

  @ApiProperty({ type: [CompanyPhoneDto] })
  phones: CompanyPhoneDto[];

  @ApiProperty()
  createdAt: Date;

  @ApiProperty()
  updatedAt: Date;
}

export class CompanyPageDto extends PageOf(CompanyDto) {}

export class CompanyLookupQueryDto {
  @ApiProperty({ description: 'A phone number in any formatting', example: '8 (495) 123-45-67' })
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  number: string;
}

export class CompanyLookupDto {
  @ApiProperty({ example: '8 (495) 123-45-67' })
  number: string;

  @ApiProperty({ example: '+74951234567' })
  normalizedNumber: string;

  @ApiProperty({ type: CompanyDto, nullable: true, description: 'null when no company has this number' })
  company: CompanyDto | null;
}

export class ImportRowProblemDto {
  @ApiProperty({ description: 'Line number in the file (the header is line 1)', example: 4 })
  row: number;

  @ApiProperty({ example: 'phone "12-34" is not a phone number' })
  reason: string;
}

export class CompanyImportResultDto {
  @ApiProperty({ description: 'Companies created', example: 2 })
  created: number;

  @ApiProperty({ type: [Number], example: [11, 12] })
  createdIds: number[];

  @ApiProperty({ type: [ImportRowProblemDto], description: 'Rows skipped because the company (name, INN or a phone) already exists' })
  duplicates: ImportRowProblemDto[];

  @ApiProperty({ type: [ImportRowProblemDto], description: 'Rows skipped because a value is invalid' })
  errors: ImportRowProblemDto[];

  @ApiProperty({ type: [String], description: 'Columns present in the file that the import does not use', example: [] })
  ignoredColumns: string[];
}
