import { Body, Controller, Get, Header, Param, Patch, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CallAccess } from '../access';
import { AuditService } from '../audit';
import { type AuthUser, CurrentUser, Public, Roles } from '../common/auth';
import { InvalidPeriodError } from '../common/errors/domain-error';
import { ErrorResponseDto } from '../common/errors/error-response.dto';
import { ApiErrorResponses } from '../common/swagger/api-error-responses';
import { RecordingDto, RecordingPageDto, RecordingsQueryDto, SignedRecordingUrlDto, StreamQueryDto, UpdateRecordingDto } from './dto/recording.dto';
import { RecordingsService } from './recordings.service';
import { RecordingPlaybackService } from './streaming/recording-playback.service';
import { ParseIdPipe } from '../common/input';

@ApiTags('recordings')
@ApiBearerAuth()
@ApiErrorResponses(401)
@Controller('recordings')
export class RecordingsController {
  constructor(
    private readonly recordings: RecordingsService,
    private readonly playback: RecordingPlaybackService,
    private readonly access: CallAccess,
    private readonly audit: AuditService,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Recordings, newest first: filters by call, user, period, status; keyset pages',
    description: 'Operators only see the recordings of calls they took part in.',
  })
  @ApiOkResponse({ type: RecordingPageDto })
  @ApiErrorResponses(400)
  list(@Query() query: RecordingsQueryDto, @CurrentUser() user: AuthUser): Promise<RecordingPageDto> {
    const from = query.from ? new Date(query.from) : undefined;
    const to = query.to ? new Date(query.to) : undefined;
    if (from && to && from >= to) throw new InvalidPeriodError('from must be before to');
    return this.recordings.list(
      { callId: query.callId, userId: query.userId, from, to, statuses: query.status, ...this.access.listScope(user) },
      query.limit,
      query.cursor,
    ) as Promise<RecordingPageDto>;
  }

  @Get(':id')
  @ApiOperation({ summary: 'One recording', description: 'An operator gets 404 for a recording of a call they took no part in.' })
  @ApiOkResponse({ type: RecordingDto })
  @ApiErrorResponses(400, 404)
  async one(@Param('id', ParseIdPipe) id: number, @CurrentUser() user: AuthUser): Promise<RecordingDto> {
    return (await this.playback.viewable(id, user)).entry;
  }

  @Get(':id/url')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Short-lived signed URLs to play or download a recording without an Authorization header',
    description:
      'For an <audio> element (which cannot send headers): the URLs are bound to this recording and the calling user, expire after ' +
      'RECORDINGS_URL_TTL, and the user\'s access is checked again on every request they make.',
  })
  @ApiOkResponse({ type: SignedRecordingUrlDto })
  @ApiErrorResponses(400, 404)
  signedUrl(@Param('id', ParseIdPipe) id: number, @CurrentUser() user: AuthUser): Promise<SignedRecordingUrlDto> {
    return this.playback.signedUrls(id, user);
  }

  @Patch(':id')
  @Roles('supervisor', 'admin')
  @ApiOperation({ summary: 'Keep a recording (exempt from retention) or release it', description: 'Supervisors and admins.' })
  @ApiOkResponse({ type: RecordingDto })
  @ApiErrorResponses(400, 403, 404)
  async update(@Param('id', ParseIdPipe) id: number, @Body() body: UpdateRecordingDto, @CurrentUser() user: AuthUser, @Req() req: Request): Promise<RecordingDto> {
    const updated = await this.recordings.setKeep(id, body.keep);
    await this.audit.record({ userId: user.id, ip: req.ip ?? null }, { action: 'recording.keep', target: `recording:${id}`, details: { keep: body.keep } });
    return updated;
  }

  @Get(':id/stream')
  @Public()
  @ApiOperation({
    summary: 'The recording\'s audio, with HTTP Range (seeking) and validators',
    description:
      'Authorised by the Authorization header or by the uid/exp/sig of a signed URL (GET …/url). Answers Range requests with 206 ' +
      '(Content-Range; several ranges as multipart/byteranges), 416 when no range fits, 304 for a current ETag/Last-Modified. ' +
      'download=true sends it as an attachment named after the call. Every playback and download is audited. ' +
      '404 with a reason when the file is pending, missing, deleted or was refused as unsafe.',
  })
  @ApiParam({ name: 'id', type: Number })
  @ApiQuery({ name: 'download', required: false, type: Boolean })
  @ApiProduces('audio/wav', 'audio/ogg', 'audio/mpeg', 'multipart/byteranges')
  @ApiResponse({ status: 200, description: 'The whole file' })
  @ApiResponse({ status: 206, description: 'The requested range(s)' })
  @ApiResponse({ status: 304, description: 'Not modified' })
  @ApiResponse({ status: 416, description: 'No requested range overlaps the file (Content-Range: bytes */size)', type: ErrorResponseDto })
  @ApiErrorResponses(400, 403, 404)
  async stream(@Param('id', ParseIdPipe) id: number, @Query() query: StreamQueryDto, @Req() req: Request, @Res() res: Response): Promise<void> {
    try {
      await this.playback.stream(id, query, req, res);
    } catch (error) {
      // Once bytes went out the status is sent: a failed read can only cut the response.
      if (!res.headersSent) throw error;
      res.destroy(error as Error);
    }
  }
}
