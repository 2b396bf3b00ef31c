import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { CallControlConfirmation } from '@app/contracts';
import { type Actor } from '../audit';
import { type AuthUser, CurrentActor, CurrentUser } from '../common/auth';
import { ApiErrorResponses } from '../common/swagger/api-error-responses';
import { source } from './call-control.controller';
import { CallControlService } from './call-control.service';
import { AgentPauseDto, CallControlConfirmationDto } from './dto/call-control.dto';

@ApiTags('call control')
@ApiBearerAuth()
@ApiErrorResponses(400, 401, 409, 422, 502, 503, 504)
@Controller('agents')
export class AgentsController {
  constructor(private readonly control: CallControlService) {}

  @Post('me/pause')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Pause or resume yourself as a queue member (QueuePause)',
    description:
      'The queue stops (or starts again) offering you calls; calls in progress are not affected (this is not a hold). ' +
      'Confirmed by the queue\'s QueueMemberPause events; NOT_A_QUEUE_MEMBER when your phone is in no (such) queue.',
  })
  @ApiOkResponse({ type: CallControlConfirmationDto })
  pause(@Body() body: AgentPauseDto, @CurrentUser() user: AuthUser, @CurrentActor() actor: Actor): Promise<CallControlConfirmation> {
    return this.control.pause(source(user, actor), body);
  }
}
