import { Global, Module } from '@nestjs/common';
import { ConnectionTargetsService } from './connection-targets.service.js';
import { KeyRotation } from './key-rotation.service.js';
import { KeyStore } from './key-store.js';
import { SecretBox } from './secret-box.js';

@Global()
@Module({ providers: [KeyStore, SecretBox, ConnectionTargetsService, KeyRotation], exports: [ConnectionTargetsService, KeyRotation, KeyStore, SecretBox] })
export class ConnectionTargetsModule {}
