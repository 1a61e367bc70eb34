import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { AppConfig } from '@riposte/config';
import { Public } from '../http/route-metadata.js';

/**
 * How people may sign in, for the console's sign-in page (before anyone is signed in, so public).
 * Nothing secret: an SPA registration's client id, authority and scope are visible in any browser.
 */
@ApiTags('live')
@Controller('api/v1/auth')
export class AuthConfigController {
  constructor(private readonly config: AppConfig) {}

  @Get('config')
  @Public()
  signInOptions() {
    const entra = this.config.oidc?.console;
    return { apiKey: true, ...(entra ? { entra } : {}) };
  }
}
