import { Column, Entity, PrimaryColumn } from 'typeorm';
import { JsonColumn, TimeColumn } from './columns.js';

@Entity('connection_targets')
export class ConnectionTargetEntity {
  @PrimaryColumn('varchar', { length: 36 }) id!: string;
  @Column('varchar', { length: 63, unique: true }) name!: string;
  @Column('varchar', { length: 36 }) tenantId!: string;
  @Column('varchar', { length: 36, nullable: true }) clientId!: string | null;
  @Column('varchar', { length: 16 }) cloud!: string;
  @JsonColumn() endpoints!: Record<string, string> | null;
  @JsonColumn() scopes!: Record<string, string> | null;
  @Column('varchar', { length: 32 }) authType!: string;
  /** The public certificate for clientCertificate auth (not a secret). */
  @Column('text', { nullable: true }) certificatePem!: string | null;
  @Column('varchar', { length: 64, nullable: true }) certificateThumbprint!: string | null;
  /** AES-256-GCM ciphertext of the client secret or private key, prefixed with its key id. */
  @Column('text', { nullable: true }) secretCiphertext!: string | null;
  /** Bumped whenever the credential changes, so cached tokens of the old one are dropped. */
  @Column('integer', { default: 1 }) credentialVersion!: number;
  @TimeColumn({ nullable: true }) secretExpiresAt!: string | null;
  /** Azure Resource Manager: the subscription and resource group actions on Azure resources default to. */
  @Column('varchar', { length: 36, nullable: true }) subscriptionId!: string | null;
  @Column('varchar', { length: 90, nullable: true }) resourceGroup!: string | null;
  @TimeColumn() createdAt!: string;
  @TimeColumn() updatedAt!: string;
}
