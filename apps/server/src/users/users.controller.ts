import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../audit';
import { CurrentActor, Roles } from '../common/auth';
import { PageQueryDto } from '../common/dto/page-query.dto';
import { ApiErrorResponses } from '../common/swagger/api-error-responses';
import { CreateUserDto } from './dto/create-user.dto';
import { UpdateUserDto } from './dto/update-user.dto';
import { UserDirectoryPageDto, UserDto, UserPageDto } from './dto/user.dto';
import { UsersService } from './users.service';
import { ParseIdPipe } from '../common/input';

@ApiTags('users')
@ApiBearerAuth()
@ApiErrorResponses(401)
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @Roles('admin', 'supervisor')
  @ApiOperation({
    summary: 'List users with their phones (admin, supervisor)',
    description: 'q matches username, email, names, or a phone in any formatting. Operators use /users/directory.',
  })
  @ApiResponse({ status: 200, type: UserPageDto })
  @ApiErrorResponses(400, 403)
  list(@Query() query: PageQueryDto): Promise<UserPageDto> {
    return this.users.list(query);
  }

  @Get('directory')
  @ApiOperation({
    summary: 'Colleagues: names, extensions and presence of the active users (every role)',
    description: 'q matches username, names or an extension.',
  })
  @ApiResponse({ status: 200, type: UserDirectoryPageDto })
  @ApiErrorResponses(400)
  directory(@Query() query: PageQueryDto): Promise<UserDirectoryPageDto> {
    return this.users.directory(query);
  }

  @Get(':id')
  @Roles('admin', 'supervisor')
  @ApiOperation({ summary: 'One user with their phones (admin, supervisor)' })
  @ApiResponse({ status: 200, type: UserDto })
  @ApiErrorResponses(400, 403, 404)
  get(@Param('id', ParseIdPipe) id: number): Promise<UserDto> {
    return this.users.get(id);
  }

  @Post()
  @Roles('admin')
  @ApiOperation({ summary: 'Create a user (admin)' })
  @ApiResponse({ status: 201, type: UserDto })
  @ApiErrorResponses(400, 403, 409)
  create(@Body() input: CreateUserDto, @CurrentActor() actor: Actor): Promise<UserDto> {
    return this.users.create(input, actor);
  }

  @Patch(':id')
  @Roles('admin')
  @ApiOperation({ summary: 'Change a user (admin); phones, when given, replace the list' })
  @ApiResponse({ status: 200, type: UserDto })
  @ApiErrorResponses(400, 403, 404, 409)
  update(@Param('id', ParseIdPipe) id: number, @Body() input: UpdateUserDto, @CurrentActor() actor: Actor): Promise<UserDto> {
    return this.users.update(id, input, actor);
  }

  @Delete(':id')
  @Roles('admin')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Delete a user (admin); their calls stay, unassigned' })
  @ApiResponse({ status: 204, description: 'Deleted' })
  @ApiErrorResponses(400, 403, 404, 409)
  remove(@Param('id', ParseIdPipe) id: number, @CurrentActor() actor: Actor): Promise<void> {
    return this.users.remove(id, actor);
  }
}
