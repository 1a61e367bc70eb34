import type { ActionDefinition } from './action-definition.js';
import { getUser, revokeSessions, setAccountEnabledAction } from './azure-ad/index.js';
import { getMachine } from './defender/get-machine.action.js';
import { machineIsolationAction } from './defender/machine-isolation.js';
import { updateAlert } from './graph-security/update-alert.action.js';
import { noop } from './core/noop.action.js';
import * as storage from './storage/index.js';

/** Every action the service ships with, in the order the catalogue lists them. */
export const BUILT_IN_ACTIONS: ActionDefinition<never, unknown>[] = [
  setAccountEnabledAction(false),
  setAccountEnabledAction(true),
  revokeSessions,
  getUser,
  machineIsolationAction('Isolate'),
  machineIsolationAction('Unisolate'),
  getMachine,
  updateAlert,
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
