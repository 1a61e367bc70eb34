/**
 * Every error code Riposte gives, in one place: HTTP problems (`code` of a problem+json answer)
 * and step or run failures (`error.code` of a step, which playbooks branch on with `onError` and
 * retry with `retry.on`). docs/API.md lists this table (generated; `npm test` checks it).
 *
 * `where`: `http` for an answer of the API, `step` for a failed step or run, `both` for both.
 * `retried`: whether a playbook step retries it when its `retry.on` is not given (the default
 * list), so that an author knows what `retry: { attempts: 3 }` does out of the box.
 */
export interface ErrorCodeInfo {
  where: 'http' | 'step' | 'both';
  /** The HTTP status of the problem answer, for codes the API gives. */
  status?: number;
  retried: boolean;
  meaning: string;
}

export const ERROR_CODES = {
  // Requests to the API
  validation_failed: {
    where: 'http',
    status: 400,
    retried: false,
    meaning: 'The request does not fit the schema; `errors` says which fields and why.',
  },
  invalid_utf8: {
    where: 'http',
    status: 400,
    retried: false,
    meaning: 'The body is not valid UTF-8 (it is refused, never silently repaired).',
  },
  too_deep: {
    where: 'http',
    status: 400,
    retried: false,
    meaning: 'A JSON body nests deeper than 64 levels somewhere, free-form fields included.',
  },
  credential_required: {
    where: 'http',
    status: 400,
    retried: false,
    meaning:
      'A change of where a connection target sends its credential (cloud, endpoints, tenant, client id) must carry the secret again.',
  },
  invalid_json: {
    where: 'http',
    status: 400,
    retried: false,
    meaning: 'The body is empty or not valid JSON although Content-Type says JSON.',
  },
  unauthenticated: {
    where: 'http',
    status: 401,
    retried: false,
    meaning: 'No API key or sign-in token, or one that is unknown or revoked.',
  },
  invalid_token: {
    where: 'http',
    status: 401,
    retried: false,
    meaning: 'A sign-in token was refused (signature, issuer, audience or expiry).',
  },
  bad_signature: {
    where: 'http',
    status: 401,
    retried: false,
    meaning: 'A signed webhook was refused: wrong or replayed signature, or a timestamp outside the window.',
  },
  forbidden: {
    where: 'http',
    status: 403,
    retried: false,
    meaning: 'The key or person lacks the role the route needs.',
  },
  self_approval: {
    where: 'http',
    status: 403,
    retried: false,
    meaning:
      'Whoever started a run may not decide its approvals or holds (four eyes; RIPOSTE_ALLOW_SELF_APPROVAL relaxes it).',
  },
  no_role: {
    where: 'http',
    status: 403,
    retried: false,
    meaning: 'A person signed in but carries none of the app roles mapped to Riposte roles.',
  },
  not_an_approver: {
    where: 'http',
    status: 403,
    retried: false,
    meaning: 'The person deciding is not among the approvers the approval step names.',
  },
  budget_rejected: {
    where: 'http',
    status: 403,
    retried: false,
    meaning: 'A step held for going over its budget was rejected by a person.',
  },
  blast_radius_rejected: {
    where: 'http',
    status: 403,
    retried: false,
    meaning: "A step held for going over the run's entity limit was rejected by a person.",
  },
  paused_rejected: {
    where: 'http',
    status: 403,
    retried: false,
    meaning: 'A step held while automation was paused was rejected by a person.',
  },
  not_found: {
    where: 'both',
    status: 404,
    retried: false,
    meaning: 'The thing named in the path (or in Azure) does not exist.',
  },
  worker_process: {
    where: 'http',
    status: 404,
    retried: false,
    meaning: 'The request reached a worker process of a cluster (role worker): it serves /health and /metrics only.',
  },
  conflict: { where: 'http', status: 409, retried: false, meaning: 'The request conflicts with the current state.' },
  connection_target_in_use: {
    where: 'http',
    status: 409,
    retried: false,
    meaning: 'The connection target is used by runs in flight: it cannot be deleted yet.',
  },
  run_ended: {
    where: 'http',
    status: 409,
    retried: false,
    meaning: 'The run has already ended: it cannot be cancelled or decided any more.',
  },
  run_busy: {
    where: 'http',
    status: 409,
    retried: false,
    meaning: 'The run is being driven at this moment (or has just ended); try again.',
  },
  run_in_flight: {
    where: 'http',
    status: 409,
    retried: false,
    meaning: 'The run has not ended yet: cancel it or wait before reverting.',
  },
  nothing_to_revert: {
    where: 'http',
    status: 409,
    retried: false,
    meaning: 'The run changed nothing that has an inverse (or was a dry run).',
  },
  already_reverted: {
    where: 'http',
    status: 409,
    retried: false,
    meaning:
      'Every step asked for has already been undone (or its undo is under way); a failed undo may be tried again.',
  },
  not_waiting_for_approval: {
    where: 'http',
    status: 409,
    retried: false,
    meaning: 'The run does not wait for a decision at that step.',
  },
  already_decided: {
    where: 'http',
    status: 409,
    retried: false,
    meaning: 'The approval or hold has already been decided.',
  },
  idempotency_key_reused: {
    where: 'http',
    status: 409,
    retried: false,
    meaning: 'The Idempotency-Key was used before with a different request.',
  },
  idempotency_in_progress: {
    where: 'http',
    status: 409,
    retried: false,
    meaning: 'A request with this Idempotency-Key is still being processed; retry shortly.',
  },
  payload_too_large: {
    where: 'http',
    status: 413,
    retried: false,
    meaning: 'The body is over the size limit of the route.',
  },
  unsupported_media_type: {
    where: 'http',
    status: 415,
    retried: false,
    meaning: 'The Content-Type is not one the route accepts.',
  },
  unprocessable: {
    where: 'http',
    status: 422,
    retried: false,
    meaning: 'The request is well formed but cannot be carried out; the message says why.',
  },
  playbook_too_large: {
    where: 'http',
    status: 413,
    retried: false,
    meaning: 'A playbook upload is over 256 KB; refused before it is parsed.',
  },
  unsupported_charset: {
    where: 'http',
    status: 415,
    retried: false,
    meaning: 'The Content-Type names a charset other than UTF-8.',
  },
  invalid_playbook: {
    where: 'http',
    status: 422,
    retried: false,
    meaning: 'The playbook does not load; `errors` has each problem with its line, column and pointer.',
  },
  playbook_too_complex: {
    where: 'http',
    status: 422,
    retried: false,
    meaning: 'Checking the playbook needed more memory than its bound (256 MB); it is refused.',
  },
  playbook_checker_unavailable: {
    where: 'http',
    status: 503,
    retried: false,
    meaning:
      'Too many playbooks wait to be checked, or a check was stopped (over 30 s) or failed; try again after Retry-After.',
  },
  playbook_unloadable: {
    where: 'both',
    status: 422,
    retried: false,
    meaning: 'A stored playbook version no longer loads (for example an action it uses was removed).',
  },
  too_many_requests: {
    where: 'http',
    status: 429,
    retried: false,
    meaning: 'Too many requests; try again after Retry-After.',
  },
  too_many_failed_authentications: {
    where: 'http',
    status: 429,
    retried: false,
    meaning: 'Too many failed authentications from this client address; wait for Retry-After.',
  },
  console_not_built: {
    where: 'http',
    status: 404,
    retried: false,
    meaning: 'The web console has not been built on this machine (`npm run build`); the API works without it.',
  },
  unavailable: {
    where: 'http',
    status: 503,
    retried: false,
    meaning: 'The service cannot answer right now (starting or stopping).',
  },
  oidc_unavailable: {
    where: 'http',
    status: 503,
    retried: false,
    meaning: "The identity provider's signing keys could not be fetched; API keys still work.",
  },
  credential_unreadable: {
    where: 'both',
    status: 503,
    retried: false,
    meaning: 'A stored secret cannot be decrypted with the keys this service has (a missing or rotated key file).',
  },
  internal_error: {
    where: 'both',
    status: 500,
    retried: false,
    meaning: 'A bug or an unexpected failure; the details are in the service log under the request or run id.',
  },

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

export type ErrorCode = keyof typeof ERROR_CODES;

/** The codes a step retries when its `retry.on` is not given. */
export const DEFAULT_RETRY_ON: readonly ErrorCode[] = (Object.keys(ERROR_CODES) as ErrorCode[]).filter(
  (code) => ERROR_CODES[code].retried,
);
