import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { IdColumn, JsonColumn, NameColumn, TimeColumn } from './columns.js';

/**
 * A sign-in under way for a delegated connection target: the authorization code flow's state
 * (stored as a hash) and PKCE verifier, or the device code, both sealed. Short-lived and used once.
 */
@Entity('sign_in_requests')
@Index('idx_sign_in_requests_target', ['connectionTargetId'])
export class SignInRequestEntity {
  @PrimaryColumn('varchar', { length: 36 }) id!: string;
  @IdColumn() connectionTargetId!: string;
  /** authorizationCode | deviceCode */
  @Column('varchar', { length: 32 }) flow!: string;
  /** SHA-256 of the state parameter (authorization code flow only). */
  @Column('varchar', { length: 64, nullable: true, unique: true }) stateHash!: string | null;
  /** The PKCE code verifier or the device code, sealed. */
  @Column('text') secretCiphertext!: string;
  /** The admin who started the sign-in. */
  @NameColumn() requestedBy!: string;
  /** Device code only: user code, verification URI, current polling interval. */
  @JsonColumn() detail!: {
    userCode?: string;
    verificationUri?: string;
    intervalSeconds?: number;
    message?: string;
  } | null;
  @TimeColumn() expiresAt!: string;
  @TimeColumn() createdAt!: string;
}
