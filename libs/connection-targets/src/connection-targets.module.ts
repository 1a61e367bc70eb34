import { Global, Module } from '@nestjs/common';
import { ConnectionTargetsService } from './connection-targets.service.js';
import { DelegatedSessions } from './delegated/delegated-sessions.js';
import { SignInService } from './delegated/sign-in.service.js';
import { KeyRotation } from './key-rotation.service.js';
import { KeyStore } from './key-store.js';
import { SecretBox } from './secret-box.js';
import { SharedTokenCache } from './shared-token-cache.js';

@Global()
@Module({
  providers: [
    KeyStore,
    SecretBox,
    SharedTokenCache,
    DelegatedSessions,
    ConnectionTargetsService,
    SignInService,
    KeyRotation,
  ],
  exports: [ConnectionTargetsService, DelegatedSessions, SignInService, KeyRotation, KeyStore, SecretBox],
})
export class ConnectionTargetsModule {}
