import { Body, Controller, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../common/auth';
import { ApiErrorResponses } from '../../common/swagger/api-error-responses';
import { CallsHistoryService } from '../../calls';
import { HangupSimulatedCallDto, SimulateCallDto, SimulatedCallDto } from './dto/simulate-call.dto';
import { CallSimulatorService, type SimulatedCallInfo } from './call-simulator.service';

@ApiTags('calls')
@ApiBearerAuth()
@ApiErrorResponses(401, 403)
@Roles('admin', 'supervisor')
@Controller('calls/simulate')
export class CallSimulatorController {
  constructor(
    private readonly simulator: CallSimulatorService,
    private readonly history: CallsHistoryService,
  ) {}

  @Post()
  @ApiOperation({
    summary: 'Test call: a synthetic incoming call (admin, supervisor)',
    description:
      'Rings the extension through the same pipeline as a real PBX (pbxId "simulator"): the row, timeline, assignment, ' +
      'company lookup and live events behave as for a real call. It ends as missed after ringTimeoutSeconds unless answered or hung up.',
  })
  @ApiResponse({ status: 201, type: SimulatedCallDto })
  @ApiErrorResponses(400, 429)
  async start(@Body() input: SimulateCallDto): Promise<SimulatedCallDto> {
    return this.withCall(await this.simulator.start(input));
  }

  @Post(':id/answer')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'The extension answers the test call' })
  @ApiOkResponse({ type: SimulatedCallDto })
  @ApiErrorResponses(404, 409)
  async answer(@Param('id') id: string): Promise<SimulatedCallDto> {
    return this.withCall(await this.simulator.answer(id));
  }

  @Post(':id/hangup')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Ends the test call (a ringing call is abandoned by the caller)' })
  @ApiOkResponse({ type: SimulatedCallDto })
  @ApiErrorResponses(400, 404, 409)
  async hangup(@Param('id') id: string, @Body() input: HangupSimulatedCallDto): Promise<SimulatedCallDto> {
    return this.withCall(await this.simulator.hangup(id, input.by));
  }

  private async withCall(info: SimulatedCallInfo): Promise<SimulatedCallDto> {
    return { ...info, call: await this.history.byKey(info.pbxId, info.linkedid) };
  }
}
