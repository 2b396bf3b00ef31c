import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Headers,
  HttpStatus,
  Param,
  Patch,
  Post,
  Query,
  StreamableFile,
  UploadedFile,
  UseInterceptors,
} from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Readable } from 'node:stream';
import type { Actor } from '../audit';
import { CurrentActor, Roles } from '../common/auth';
import { PageQueryDto } from '../common/dto/page-query.dto';
import { ApiErrorResponses } from '../common/swagger/api-error-responses';
import { CsvMissingError } from './companies.errors';
import { CompaniesService } from './companies.service';
import { MAX_CSV_ROWS } from './company-csv';
import { type CompanyImportEvent, CompanyImportService } from './company-import.service';
import { MAX_COMPANY_PHONES } from './dto/create-company.dto';
import { describeError } from '../common/errors/api-exception.filter';
import { CompanyDto, CompanyImportResultDto, CompanyLookupDto, CompanyLookupQueryDto, CompanyPageDto } from './dto/company.dto';
import { CreateCompanyDto } from './dto/create-company.dto';
import { UpdateCompanyDto } from './dto/update-company.dto';
import { Consumes, ParseIdPipe } from '../common/input';

export const MAX_CSV_BYTES = 5 * 1024 * 1024;

const NDJSON = 'application/x-ndjson';

/** Import events as JSON lines; an error once the stream has started becomes its last line. */
async function* ndjsonLines(events: AsyncIterable<CompanyImportEvent>): AsyncGenerator<string> {
  try {
    for await (const event of events) yield `${JSON.stringify(event)}\n`;
  } catch (error) {
    const { status, code, message } = describeError(error);
    yield `${JSON.stringify({ type: 'error', error: { statusCode: status, error: code, message } })}\n`;
  }
}

/** The part of a multer upload this controller reads. */
interface UploadedCsv {
  buffer: Buffer;
}

@ApiTags('companies')
@ApiBearerAuth()
@ApiErrorResponses(401)
@Controller('companies')
export class CompaniesController {
  constructor(
    private readonly companies: CompaniesService,
    private readonly importer: CompanyImportService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'List companies with their phones', description: 'q matches name, INN, email, or a phone in any formatting.' })
  @ApiResponse({ status: 200, type: CompanyPageDto })
  @ApiErrorResponses(400)
  list(@Query() query: PageQueryDto): Promise<CompanyPageDto> {
    return this.companies.list(query);
  }

  @Get('lookup')
  @ApiOperation({
    summary: 'Find the company a phone number belongs to',
    description: 'Any formatting matches: +7 (495) 123-45-67 = 84951234567 = 74951234567 = +74951234567 (DEFAULT_PHONE_REGION).',
  })
  @ApiResponse({ status: 200, type: CompanyLookupDto })
  @ApiErrorResponses(400)
  lookup(@Query() query: CompanyLookupQueryDto): Promise<CompanyLookupDto> {
    return this.companies.lookup(query.number);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One company with its phones' })
  @ApiResponse({ status: 200, type: CompanyDto })
  @ApiErrorResponses(400, 404)
  get(@Param('id', ParseIdPipe) id: number): Promise<CompanyDto> {
    return this.companies.get(id);
  }

  @Post()
  @Roles('admin', 'supervisor')
  @ApiOperation({ summary: 'Create a company (admin, supervisor)' })
  @ApiResponse({ status: 201, type: CompanyDto })
  @ApiErrorResponses(400, 403, 409)
  create(@Body() input: CreateCompanyDto, @CurrentActor() actor: Actor): Promise<CompanyDto> {
    return this.companies.create(input, actor);
  }

  @Post('import')
  @Roles('admin', 'supervisor')
  @UseInterceptors(FileInterceptor('file', { limits: { fileSize: MAX_CSV_BYTES, files: 1 } }))
  @ApiOperation({
    summary: 'Import companies from CSV (admin, supervisor)',
    description:
      `Header row with columns name, phones (several separated by ; or |, at most ${MAX_COMPANY_PHONES}) and optionally inn, email, notes; ` +
      `delimiter , or ; or tab; UTF-8 or UTF-16 with a byte order mark; at most ${MAX_CSV_ROWS} rows and 5 MB. ` +
      'Valid rows are created; invalid and duplicate rows are reported with their line number. The rows are written in one ' +
      'transaction: a failure while writing leaves nothing behind. With "Accept: application/x-ndjson" the answer is a stream of ' +
      'JSON lines: {"type":"progress","phase":"writing","processed","total"} after each 1,000 companies, then {"type":"result","result":…} ' +
      '(or {"type":"error","error":{statusCode,error,message}} if writing failed, with nothing written).',
  })
  @Consumes('multipart/form-data', 'text/csv', 'text/plain')
  @ApiBody({
    schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } } },
    description: 'multipart/form-data with the file in field "file", or the CSV itself as a text/csv body',
  })
  @ApiProduces('application/json', 'application/x-ndjson')
  @ApiResponse({ status: 201, type: CompanyImportResultDto })
  @ApiErrorResponses(400, 403, 413, 415)
  import(
    @UploadedFile() file: UploadedCsv | undefined,
    @Body() body: unknown,
    @Headers('accept') accept: string | undefined,
    @CurrentActor() actor: Actor,
  ): Promise<CompanyImportResultDto> | StreamableFile {
    const csv = file ? file.buffer : Buffer.isBuffer(body) ? body : null;
    if (csv === null) throw new CsvMissingError();
    if (!accept?.includes(NDJSON)) return this.importer.import(csv, actor);
    // Read and checked before the stream starts: a file that cannot be read is still a plain 400.
    const events = this.importer.run(this.importer.prepare(csv), actor);
    return new StreamableFile(Readable.from(ndjsonLines(events)), { type: NDJSON });
  }

  @Patch(':id')
  @Roles('admin', 'supervisor')
  @ApiOperation({ summary: 'Change a company (admin, supervisor); phones, when given, replace the list' })
  @ApiResponse({ status: 200, type: CompanyDto })
  @ApiErrorResponses(400, 403, 404, 409)
  update(@Param('id', ParseIdPipe) id: number, @Body() input: UpdateCompanyDto, @CurrentActor() actor: Actor): Promise<CompanyDto> {
    return this.companies.update(id, input, actor);
  }

  @Delete(':id')
  @Roles('admin', 'supervisor')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Delete a company (admin, supervisor); its calls stay, without a company' })
  @ApiResponse({ status: 204, description: 'Deleted' })
  @ApiErrorResponses(400, 403, 404)
  remove(@Param('id', ParseIdPipe) id: number, @CurrentActor() actor: Actor): Promise<void> {
    return this.companies.remove(id, actor);
  }
}
