import { Global, Module } from '@nestjs/common';
import { AzureHttp } from './azure-http.js';
import { DefenderClient } from './defender.client.js';
import { GraphClient } from './graph.client.js';
import { TokenProvider } from './token-provider.js';

@Global()
@Module({ providers: [AzureHttp, TokenProvider, GraphClient, DefenderClient], exports: [AzureHttp, TokenProvider, GraphClient, DefenderClient] })
export class AzureModule {}
