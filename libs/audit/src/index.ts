export { AuditLog, type AuditEntry, type AuditView, type AuditQuery } from './audit-log.service.js';
export { AuditModule } from './audit.module.js';
