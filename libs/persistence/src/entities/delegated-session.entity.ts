import { Column, Entity, PrimaryColumn } from 'typeorm';
import { JsonColumn, NameColumn, TimeColumn } from './columns.js';

/**
 * The person signed in for a delegated connection target (auth type authorizationCode or
 * deviceCode): msal's token cache, refresh tokens included, sealed with the data key, and what
 * the API shows about the sign-in. One row per target.
 */
@Entity('delegated_sessions')
export class DelegatedSessionEntity {
  @PrimaryColumn('varchar', { length: 36 }) connectionTargetId!: string;
  /** AES-256-GCM ciphertext of msal's serialized cache (null: nobody signed in, or signed out). */
  @Column('text', { nullable: true }) tokenCacheCiphertext!: string | null;
  @NameColumn({ nullable: true }) username!: string | null;
  @NameColumn({ nullable: true }) displayName!: string | null;
  @JsonColumn() scopes!: string[] | null;
  @TimeColumn({ nullable: true }) signedInAt!: string | null;
  @NameColumn({ nullable: true }) signedInBy!: string | null;
  /** Why a person must sign in again (revoked, expired, consent withdrawn), in words; null while the sign-in works. */
  @Column('varchar', { length: 1000, nullable: true }) signInRequiredReason!: string | null;
  @TimeColumn({ nullable: true }) signInRequiredAt!: string | null;
  @TimeColumn() updatedAt!: string;
}
