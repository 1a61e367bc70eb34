export { setAccountEnabledAction } from './set-account-enabled.js';
export { revokeSessions } from './revoke-sessions.action.js';
export { getUser } from './get-user.action.js';
export { resetPassword } from './reset-password.action.js';
export { userRiskAction } from './user-risk.js';
export { groupMemberAction } from './group-membership.js';
export { servicePrincipalEnabledAction } from './service-principal.js';
export { listSignIns, getUserRisk, listMemberships, getManager } from './user-reads.js';
