import type { ActionDefinition } from './action-definition.js';
import { getUser, revokeSessions, setAccountEnabledAction } from './azure-ad/index.js';
import { getMachine } from './defender/get-machine.action.js';
import { machineIsolationAction } from './defender/machine-isolation.js';
import { updateAlert } from './graph-security/update-alert.action.js';
import { noop } from './core/noop.action.js';

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
  noop,
] as ActionDefinition<never, unknown>[];
