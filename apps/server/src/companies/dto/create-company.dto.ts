import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsEmail, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';

const trimmed = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/** The API and the CSV import cap a company's phone list alike. */
export const MAX_COMPANY_PHONES = 20;

export class CreateCompanyDto {
  @ApiProperty({ maxLength: 200, description: 'Unique, ignoring case', example: 'ООО "Ромашка"' })
  @Transform(trimmed)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name: string;

  @ApiPropertyOptional({ nullable: true, type: String, description: 'Russian taxpayer number: 10 or 12 digits', example: '7701234567' })
  @IsOptional()
  @Transform(trimmed)
  @Matches(/^(\d{10}|\d{12})$/, { message: 'inn must be 10 or 12 digits' })
  inn?: string | null;

  @ApiPropertyOptional({ nullable: true, type: String, example: 'office@romashka.ru' })
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' ? value.trim().toLowerCase() : value))
  @IsEmail()
  @MaxLength(100)
  email?: string | null;

  @ApiPropertyOptional({ nullable: true, type: String, maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  notes?: string | null;

  @ApiPropertyOptional({
    type: [String],
    description: 'Numbers in any formatting; each belongs to one company. Replaces the list on update.',
    example: ['+7 (495) 123-45-67', '8 800 555-35-35'],
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_COMPANY_PHONES)
  @IsString({ each: true })
  @MinLength(1, { each: true })
  @MaxLength(32, { each: true })
  phones?: string[];
}
