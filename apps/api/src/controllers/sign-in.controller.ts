import { Controller, Get, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { SignInService } from '@riposte/connection-targets';
import { Public } from '../http/route-metadata.js';

/**
 * Where Entra ID sends the browser back after a person signed in (the redirect URI registered on
 * the app, RIPOSTE_SIGN_IN_REDIRECT_URI). No API key: the one-time state is the proof, and it is
 * bound to the target and the admin who asked for the sign-in URL.
 */
@ApiTags('connection targets')
@Controller('api/v1/sign-in')
export class SignInController {
  constructor(private readonly signIn: SignInService) {}

  @Get('redirect')
  @Public()
  async redirect(@Query() query: Record<string, string | undefined>) {
    const target = await this.signIn.redirect({
      code: query.code,
      state: query.state,
      error: query.error,
      error_description: query.error_description,
    });
    return {
      message: `Signed in for connection target '${target.name}'. You can close this window.`,
      connectionTarget: target,
    };
  }
}
