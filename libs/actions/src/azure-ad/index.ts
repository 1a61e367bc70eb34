export { setAccountEnabledAction } from './set-account-enabled.js';
export { revokeSessions } from './revoke-sessions.action.js';
export { getUser } from './get-user.action.js';
