import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { CallControlConfirmation } from '@app/contracts';
import { type Actor } from '../audit';
import { type AuthUser, CurrentActor, CurrentUser } from '../common/auth';
import { ParseIdPipe } from '../common/input';
import { ApiErrorResponses } from '../common/swagger/api-error-responses';
import { CallControlService, type CommandSource } from './call-control.service';
import { CallControlConfirmationDto, OriginateCallDto, RecordingDto, TransferCallDto } from './dto/call-control.dto';

const CONFIRMED = 'Answers once the PBX events confirm the effect (AMI "Success" only means queued), with what they showed; NOT_CONFIRMED (504) otherwise.';
const WHO = 'Operators act only on calls their phone is on; supervisors and admins on any call in progress.';

/** The REST twin of the gateway's call-control commands (docs/call-control.md). */
@ApiTags('call control')
@ApiBearerAuth()
@ApiErrorResponses(400, 401, 403, 404, 409, 422, 502, 503, 504)
@Controller('calls')
export class CallControlController {
  constructor(private readonly control: CallControlService) {}

  @Post('originate')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Click-to-call: your phone rings, then the number is dialled',
    description: `Originate of your own extension with preset channel ids and CRM_CALL_ID, so the call is known from its first event (its calls.crm_call_id). Confirmed when your phone rings; the outcome follows on the socket as call:originated. ${CONFIRMED}`,
  })
  @ApiOkResponse({ type: CallControlConfirmationDto })
  originate(@Body() body: OriginateCallDto, @CurrentUser() user: AuthUser, @CurrentActor() actor: Actor): Promise<CallControlConfirmation> {
    return this.control.originate(source(user, actor), body);
  }

  @Post(':id/transfer')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Transfer the call to a user, an extension or a number (blind or attended)',
    description: `Blind: the other party is sent to the target at once. Attended: you talk to the target first; then POST .../transfer/complete or .../transfer/cancel. ${WHO} ${CONFIRMED}`,
  })
  @ApiOkResponse({ type: CallControlConfirmationDto })
  transfer(@Param('id', ParseIdPipe) id: number, @Body() body: TransferCallDto, @CurrentUser() user: AuthUser, @CurrentActor() actor: Actor): Promise<CallControlConfirmation> {
    return this.control.transfer(source(user, actor), id, body);
  }

  @Post(':id/transfer/complete')
  @HttpCode(200)
  @ApiOperation({ summary: 'Complete the attended transfer in progress (the target has answered)', description: `${WHO} ${CONFIRMED}` })
  @ApiOkResponse({ type: CallControlConfirmationDto })
  completeTransfer(@Param('id', ParseIdPipe) id: number, @CurrentUser() user: AuthUser, @CurrentActor() actor: Actor): Promise<CallControlConfirmation> {
    return this.control.transferStep(source(user, actor), id, 'complete');
  }

  @Post(':id/transfer/cancel')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel the attended transfer in progress: back to the party', description: `${WHO} ${CONFIRMED}` })
  @ApiOkResponse({ type: CallControlConfirmationDto })
  cancelTransfer(@Param('id', ParseIdPipe) id: number, @CurrentUser() user: AuthUser, @CurrentActor() actor: Actor): Promise<CallControlConfirmation> {
    return this.control.transferStep(source(user, actor), id, 'cancel');
  }

  @Post(':id/hold')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Put the call on hold: the other party hears music, your phone waits in silence',
    description: `Works with any SIP phone (a Redirect of both legs into crm-hold / crm-hold-wait). Not an agent pause. ${WHO} ${CONFIRMED}`,
  })
  @ApiOkResponse({ type: CallControlConfirmationDto })
  hold(@Param('id', ParseIdPipe) id: number, @CurrentUser() user: AuthUser, @CurrentActor() actor: Actor): Promise<CallControlConfirmation> {
    return this.control.hold(source(user, actor), id, true);
  }

  @Post(':id/unhold')
  @HttpCode(200)
  @ApiOperation({ summary: 'Take the call off hold: both parties are bridged again', description: `${WHO} ${CONFIRMED}` })
  @ApiOkResponse({ type: CallControlConfirmationDto })
  unhold(@Param('id', ParseIdPipe) id: number, @CurrentUser() user: AuthUser, @CurrentActor() actor: Actor): Promise<CallControlConfirmation> {
    return this.control.hold(source(user, actor), id, false);
  }

  @Post(':id/hangup')
  @HttpCode(200)
  @ApiOperation({ summary: 'Hang the call up', description: `${WHO} ${CONFIRMED}` })
  @ApiOkResponse({ type: CallControlConfirmationDto })
  hangup(@Param('id', ParseIdPipe) id: number, @CurrentUser() user: AuthUser, @CurrentActor() actor: Actor): Promise<CallControlConfirmation> {
    return this.control.hangup(source(user, actor), id);
  }

  @Post(':id/recording')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Start or stop an on-demand recording',
    description: `MixMonitor (or Monitor where configured) on your channel; the file is linked to the call like the dialplan's recordings. ${WHO} ${CONFIRMED}`,
  })
  @ApiOkResponse({ type: CallControlConfirmationDto })
  recording(@Param('id', ParseIdPipe) id: number, @Body() body: RecordingDto, @CurrentUser() user: AuthUser, @CurrentActor() actor: Actor): Promise<CallControlConfirmation> {
    return this.control.record(source(user, actor), id, body.on);
  }
}

export function source(user: AuthUser, actor: Actor): CommandSource {
  return { user, ip: actor.ip };
}
