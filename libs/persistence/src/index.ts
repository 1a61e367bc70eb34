export * from './entities/index.js';
export { Database } from './database.js';
export type { SqlParam } from './prepared-statements.js';
export { PersistenceModule } from './persistence.module.js';
export { dataSourceOptions, tuneConnection } from './data-source-options.js';
export { nowIso } from './time.js';
export { RecentRead } from './recent-read.js';
export { type Page, encodeCursor, decodeCursor } from './pagination.js';
export { type RunClaim, ClaimLost, claimHeld, assertClaimHeld } from './run-claim.js';
