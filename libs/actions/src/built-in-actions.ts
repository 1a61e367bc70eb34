import type { ActionDefinition } from './action-definition.js';
import {
  getManager,
  getUser,
  getUserRisk,
  groupMemberAction,
  listMemberships,
  listSignIns,
  resetPassword,
  revokeSessions,
  servicePrincipalEnabledAction,
  setAccountEnabledAction,
  userRiskAction,
} from './azure-ad/index.js';
import { getMachine } from './defender/get-machine.action.js';
import { isolateMachine, releaseMachine } from './defender/machine-isolation.js';
import {
  collectInvestigationPackage,
  restrictAppExecution,
  runAntivirusScan,
  stopAndQuarantineFile,
  unrestrictAppExecution,
} from './defender/machine-responses.js';
import { machineTagAction } from './defender/machine-tags.js';
import { createIndicator, deleteIndicator } from './defender/indicators.js';
import { getFile, listLoggedOnUsers, listMachineAlerts } from './defender/defender-reads.js';
import { updateAlert } from './graph-security/update-alert.action.js';
import { runHuntingQuery } from './graph-security/hunting.action.js';
import { getIncident, updateIncident } from './graph-security/incident.actions.js';
import { commentAlert, commentIncident } from './graph-security/comment.actions.js';
import { noop } from './core/noop.action.js';
import { notify } from './notify/notify.action.js';
import * as storage from './storage/index.js';

/** Every action the service ships with, in the order the catalogue lists them. */
export const BUILT_IN_ACTIONS: ActionDefinition<never, unknown>[] = [
  setAccountEnabledAction(false),
  setAccountEnabledAction(true),
  revokeSessions,
  getUser,
  resetPassword,
  userRiskAction('confirmCompromised'),
  userRiskAction('dismiss'),
  groupMemberAction(true),
  groupMemberAction(false),
  servicePrincipalEnabledAction(false),
  servicePrincipalEnabledAction(true),
  listSignIns,
  getUserRisk,
  listMemberships,
  getManager,
  isolateMachine,
  releaseMachine,
  getMachine,
  runAntivirusScan,
  restrictAppExecution,
  unrestrictAppExecution,
  collectInvestigationPackage,
  stopAndQuarantineFile,
  machineTagAction(true),
  machineTagAction(false),
  createIndicator,
  deleteIndicator,
  listMachineAlerts,
  listLoggedOnUsers,
  getFile,
  updateAlert,
  commentAlert,
  commentIncident,
  getIncident,
  updateIncident,
  runHuntingQuery,
  notify,
  storage.getExposure,
  storage.blockPublicBlobAccess,
  storage.restorePublicBlobAccess,
  storage.disableSharedKeyAccess,
  storage.restoreSharedKeyAccess,
  storage.restrictNetwork,
  storage.restoreNetwork,
  storage.makeContainerPrivate,
  storage.restoreContainerAccess,
  noop,
] as ActionDefinition<never, unknown>[];
