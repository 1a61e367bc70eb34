export { getExposure, type StorageExposure } from './get-exposure.action.js';
export {
  blockPublicBlobAccess,
  restorePublicBlobAccess,
  disableSharedKeyAccess,
  restoreSharedKeyAccess,
  restrictNetwork,
  restoreNetwork,
  type SettingOutput,
} from './account-setting.js';
export { makeContainerPrivate, restoreContainerAccess, type ContainerAccessOutput } from './container-access.js';
