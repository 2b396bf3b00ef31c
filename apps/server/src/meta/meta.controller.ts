import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../common/auth';
import { APP_VERSION } from '../common/app-version';
import { AppConfig } from '../config/app-config';
import { DemoInfoDto, MetaDto } from './dto/meta.dto';

@ApiTags('meta')
@Controller('meta')
export class MetaController {
  constructor(private readonly config: AppConfig) {}

  @Get()
  @Public()
  @ApiOperation({
    summary: 'What the web UI needs before login: version, TEST_MODE, demo mode and its logins',
    description: 'Public. The demo logins are listed only while the server runs the demo (never in production or next to a real PBX).',
  })
  @ApiOkResponse({ type: MetaDto })
  async get(): Promise<MetaDto> {
    return { version: APP_VERSION, role: this.config.APP_ROLE, testMode: this.config.TEST_MODE, demo: this.config.demoEnabled ? await demoInfo() : null };
  }
}

/** Loaded only in demo mode, like the demo module itself: a real deployment never loads the simulator's data. */
async function demoInfo(): Promise<DemoInfoDto> {
  const { DEMO_PASSWORD, DEMO_USERS } = await import('../demo');
  return {
    password: DEMO_PASSWORD,
    users: DEMO_USERS.map(({ username, role, extension, firstName, lastName }) => ({ username, role, extension, name: `${firstName} ${lastName}`.trim() })),
  };
}
