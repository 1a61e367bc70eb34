import { Module } from '@nestjs/common';
import { ApiKeysService } from './api-keys.service.js';
import { OidcVerifier } from './oidc-verifier.js';

@Module({ providers: [ApiKeysService, OidcVerifier], exports: [ApiKeysService, OidcVerifier] })
export class AuthModule {}
