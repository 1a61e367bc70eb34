export { AuditLog, type AuditEntry, type AuditView, type AuditQuery, type HeadIs } from './audit-log.service.js';
export { AuditModule } from './audit.module.js';
