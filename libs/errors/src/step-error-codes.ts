import type { ErrorCodeInfo } from './error-codes.js';

/** The codes of failed steps and runs, and of calls to Azure (see ERROR_CODES). */
export const STEP_ERROR_CODES = {
  // Steps and runs
  trigger_failed: {
    where: 'step',
    retried: false,
    meaning:
      "An alert matched a trigger but its run could not start (the trigger's inputs did not fit the playbook); the run is recorded failed with the reason.",
  },
  unknown_action: { where: 'step', retried: false, meaning: 'The step names an action the catalogue does not have.' },
  invalid_input: { where: 'step', retried: false, meaning: "The step's input does not fit the action's input schema." },
  no_connection_target: {
    where: 'step',
    retried: false,
    meaning: 'The step needs a connection target and none was named (run, playbook or step).',
  },
  protected_entity: {
    where: 'step',
    retried: false,
    meaning: 'The action would touch a protected account or machine: refused, never sent.',
  },
  cancelled: { where: 'step', retried: false, meaning: 'The run was cancelled while the step was in flight.' },
  step_timeout: { where: 'step', retried: true, meaning: 'The step did not finish within its `timeout`.' },
  expression_failed: {
    where: 'step',
    retried: false,
    meaning: 'An expression of the step could not be evaluated (an error or a limit of the sandbox).',
  },
  invalid_time: { where: 'step', retried: false, meaning: '`wait.until` did not give a time.' },
  invalid_items: { where: 'step', retried: false, meaning: '`forEach.items` did not give a list.' },
  too_many_items: { where: 'step', retried: false, meaning: '`forEach.items` gave more items than a loop takes.' },
  call_failed: {
    where: 'step',
    retried: false,
    meaning: 'A `call` step could not start its playbook (unknown playbook or invalid inputs).',
  },
  called_playbook_failed: {
    where: 'step',
    retried: false,
    meaning: 'The playbook that a `call` step started ended failed or cancelled.',
  },
  call_depth_exceeded: { where: 'step', retried: false, meaning: 'Playbooks call each other deeper than allowed.' },

  notification_refused: {
    where: 'both',
    status: 503,
    retried: false,
    meaning: "A notification channel's URL resolves to an address this service does not call; nothing was sent.",
  },
  notification_failed: {
    where: 'both',
    status: 503,
    retried: false,
    meaning: 'A notification channel could not be reached, redirected, or answered an error.',
  },

  // Calls to Azure (step failures; also in the connection test)
  invalid_client_secret: {
    where: 'step',
    retried: false,
    meaning: 'Entra ID refused the client secret (AADSTS7000215): send the secret value, not its id.',
  },
  expired_client_secret: {
    where: 'step',
    retried: false,
    meaning: 'The client secret has expired (AADSTS7000222): add a new one and rotate it here.',
  },
  certificate_rejected: {
    where: 'step',
    retried: false,
    meaning: 'Entra ID refused the client certificate (not uploaded to the app, or expired).',
  },
  app_not_found: {
    where: 'step',
    retried: false,
    meaning: 'No app with this client id in the tenant (AADSTS700016): wrong tenant or app, or no admin consent.',
  },
  tenant_not_found: {
    where: 'step',
    retried: false,
    meaning: 'The tenant does not exist in this cloud (AADSTS90002).',
  },
  invalid_scope: {
    where: 'step',
    retried: false,
    meaning: 'The token scope is not valid for this resource (AADSTS70011 / 1002012).',
  },
  authority_unreachable: {
    where: 'step',
    retried: false,
    meaning: 'The sign-in authority could not be reached or resolved.',
  },
  token_request_failed: {
    where: 'step',
    retried: false,
    meaning: 'The token request failed for another reason, given in the message.',
  },
  unauthorized: { where: 'step', retried: false, meaning: 'The API refused the access token (401).' },
  insufficient_privileges: {
    where: 'step',
    retried: false,
    meaning: 'The app lacks the application permission the call needs; the message names it.',
  },
  user_not_found: { where: 'step', retried: false, meaning: 'No such user in the tenant.' },
  machine_not_found: { where: 'step', retried: false, meaning: 'No such machine in Defender for Endpoint.' },
  alert_not_found: { where: 'step', retried: false, meaning: 'No such security alert.' },
  group_not_found: { where: 'step', retried: false, meaning: 'No such group in the tenant.' },
  service_principal_not_found: {
    where: 'step',
    retried: false,
    meaning: 'No such service principal (by object id or app id).',
  },
  incident_not_found: { where: 'step', retried: false, meaning: 'No such security incident.' },
  indicator_not_found: { where: 'step', retried: false, meaning: 'No such Defender indicator.' },
  file_not_found: { where: 'step', retried: false, meaning: 'Defender knows no file with this hash.' },
  action_already_pending: {
    where: 'step',
    retried: false,
    meaning: 'Defender already runs an action of this kind on the machine (it is joined, not repeated).',
  },
  throttled: {
    where: 'step',
    retried: true,
    meaning: 'Azure answered 429 after the in-call retries; retried after its Retry-After.',
  },
  bad_request: {
    where: 'step',
    retried: false,
    meaning: 'Azure refused the request as malformed (400); the message quotes its reason.',
  },
  service_unavailable: { where: 'step', retried: true, meaning: 'Azure answered 5xx after the in-call retries.' },
  timeout: {
    where: 'step',
    retried: true,
    meaning: 'Azure did not answer in time. A changing call is reconciled before any retry.',
  },
  network_error: {
    where: 'step',
    retried: true,
    meaning: 'The connection failed. A changing call is reconciled before any retry.',
  },
  sign_in_required: {
    where: 'step',
    retried: false,
    meaning:
      "A delegated connection target's sign-in has expired, been revoked or lost consent: a person must sign in again (the target says why).",
  },
  sign_in_pending: {
    where: 'http',
    retried: false,
    meaning: 'The device code sign-in has not been completed by the person yet.',
  },
  sign_in_declined: {
    where: 'http',
    status: 400,
    retried: false,
    meaning: 'The person declined the sign-in or the consent.',
  },
  sign_in_expired: {
    where: 'http',
    status: 409,
    retried: false,
    meaning: 'The sign-in request (device code or authorization state) expired before it was completed; start again.',
  },
  sign_in_failed: {
    where: 'http',
    status: 400,
    retried: false,
    meaning: 'Entra ID refused the sign-in for another reason, given in the message.',
  },
  sign_in_state_invalid: {
    where: 'http',
    status: 400,
    retried: false,
    meaning: 'The sign-in redirect carried an unknown, used or expired state.',
  },
  sign_in_code_missing: {
    where: 'http',
    status: 400,
    retried: false,
    meaning: 'The sign-in redirect carried no authorization code.',
  },
  sign_in_not_started: {
    where: 'http',
    status: 409,
    retried: false,
    meaning: 'No device code sign-in was started for this connection target.',
  },
  not_delegated: {
    where: 'http',
    status: 400,
    retried: false,
    meaning: 'The connection target signs in as an app, not as a person.',
  },
  wrong_sign_in_flow: {
    where: 'http',
    status: 400,
    retried: false,
    meaning: 'The connection target uses the other sign-in flow (authorization code or device code).',
  },
  connection_target_deleted: {
    where: 'http',
    status: 409,
    retried: false,
    meaning: 'The connection target was deleted while a person was signing in for it.',
  },
  arm_not_configured: {
    where: 'step',
    retried: false,
    meaning: 'The connection target has no subscription id or resource group for Azure Resource Manager actions.',
  },
  resource_group_not_found: { where: 'step', retried: false, meaning: 'No such resource group in the subscription.' },
  storage_account_not_found: { where: 'step', retried: false, meaning: 'No such storage account.' },
  container_not_found: { where: 'step', retried: false, meaning: 'No such blob container in the storage account.' },
  endpoint_refused: {
    where: 'both',
    status: 400,
    retried: false,
    meaning:
      'The endpoint resolves to an address this service never calls (private, loopback, link-local), or custom endpoints are off.',
  },
  custom_endpoints_disabled: {
    where: 'http',
    status: 400,
    retried: false,
    meaning: 'Custom cloud endpoints are turned off on this service (RIPOSTE_ALLOW_CUSTOM_ENDPOINTS).',
  },
  unexpected_redirect: {
    where: 'step',
    retried: false,
    meaning: 'Azure answered with a redirect, which is never followed nor taken as success.',
  },
  resource_not_available: {
    where: 'step',
    retried: false,
    meaning: 'The resource (Graph, Defender, ARM) is not configured for this connection target.',
  },
  machine_action_failed: { where: 'step', retried: false, meaning: 'Defender reported the machine action Failed.' },
  machine_action_timed_out: {
    where: 'step',
    retried: false,
    meaning: 'Defender reported the machine action TimeOut, or it did not end within the follow limit.',
  },
  machine_action_cancelled: { where: 'step', retried: false, meaning: 'The machine action was cancelled in Defender.' },
  machine_action_pending: {
    where: 'step',
    retried: false,
    meaning: 'The machine action is still Pending (the machine is offline); it is followed until it ends.',
  },
} as const satisfies Record<string, ErrorCodeInfo>;
