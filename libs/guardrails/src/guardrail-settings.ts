import { existsSync, readFileSync } from 'node:fs';
import Type, { type Static } from 'typebox';
import { parse } from 'yaml';
import { ConfigError } from '@riposte/config';
import { compileSchema, DURATION_PATTERN, formatSchemaErrors, parseDuration } from '@riposte/schema';

const HOUR = 3_600_000;

/** Directory roles whose holders no action touches (role template ids, the same in every tenant). */
export const PRIVILEGED_ROLE_TEMPLATES: Record<string, string> = {
  '62e90394-69f5-4237-9190-012177145e10': 'Global Administrator',
  'e8611ab8-c189-46e8-94e1-60213ab1f814': 'Privileged Role Administrator',
  '7be44c8a-adaf-4e2a-84d6-ab2649e08a13': 'Privileged Authentication Administrator',
  '194ae4cb-b126-40b2-bd5b-6091b380977d': 'Security Administrator',
  'fe930be7-5e62-47db-91af-98c3a49a38b1': 'User Administrator',
  'c4e39bd9-1100-46d3-8c65-fb160da0071f': 'Authentication Administrator',
  '29232cdf-9323-42fd-ade2-1d097af3e4de': 'Exchange Administrator',
  'f28a1f50-f6e7-4571-818b-6a12f2af6b6c': 'SharePoint Administrator',
  '9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3': 'Application Administrator',
  '158c047a-c907-4556-b7ef-446551a6b5f7': 'Cloud Application Administrator',
  'b1be1c3e-b65d-4f19-8427-f6fa0d97feb9': 'Conditional Access Administrator',
  '8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2': 'Hybrid Identity Administrator',
  '729827e3-9c14-49f7-bb1b-9608f156bbb8': 'Helpdesk Administrator',
};

export interface Budget {
  limit: number;
  windowMs: number;
}

export interface GuardrailSettings {
  protectDirectoryRoles: boolean;
  protectOwnApp: boolean;
  maxEntitiesPerRun: number;
  budgets: Record<string, Budget>;
}

export const DEFAULT_SETTINGS: GuardrailSettings = {
  protectDirectoryRoles: true,
  protectOwnApp: true,
  maxEntitiesPerRun: 10,
  budgets: {
    'azure_ad.disable_user': { limit: 20, windowMs: HOUR },
    'defender.isolate_machine': { limit: 10, windowMs: HOUR },
    // Containment from the response catalogue: enough for one bad day, not for a runaway loop.
    'azure_ad.reset_password': { limit: 10, windowMs: HOUR },
    'azure_ad.confirm_compromised': { limit: 20, windowMs: HOUR },
    'azure_ad.add_group_member': { limit: 20, windowMs: HOUR },
    'azure_ad.remove_group_member': { limit: 20, windowMs: HOUR },
    'azure_ad.disable_service_principal': { limit: 5, windowMs: HOUR },
    'defender.restrict_app_execution': { limit: 10, windowMs: HOUR },
    'defender.stop_and_quarantine_file': { limit: 30, windowMs: HOUR },
    'defender.collect_investigation_package': { limit: 20, windowMs: HOUR },
    'defender.run_antivirus_scan': { limit: 50, windowMs: HOUR },
    'defender.create_indicator': { limit: 50, windowMs: HOUR },
    'defender.delete_indicator': { limit: 50, windowMs: HOUR },
  },
};

const BudgetSchema = Type.Object(
  { limit: Type.Integer({ minimum: 0, maximum: 1_000_000 }), window: Type.String({ pattern: DURATION_PATTERN }) },
  { additionalProperties: false },
);
export const GuardrailsFileSchema = Type.Object(
  {
    protected: Type.Optional(
      Type.Object(
        {
          users: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 300 }))),
          groups: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 300 }))),
          machines: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 300 }))),
          machineTags: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 300 }))),
          azureResources: Type.Optional(
            Type.Array(
              Type.String({
                minLength: 1,
                maxLength: 300,
                pattern: '^/subscriptions/',
                description: 'Resource ids; a subscription or resource group protects everything in it.',
              }),
            ),
          ),
          azureTags: Type.Optional(
            Type.Array(
              Type.String({
                minLength: 1,
                maxLength: 300,
                description: 'key or key=value, on the Azure resource (storage account).',
              }),
            ),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    protectDirectoryRoles: Type.Optional(Type.Boolean()),
    protectOwnApp: Type.Optional(Type.Boolean()),
    maxEntitiesPerRun: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
    budgets: Type.Optional(Type.Record(Type.String({ pattern: '^[a-z][a-z0-9_]*\\.[a-z][a-z0-9_]*$' }), BudgetSchema)),
  },
  { additionalProperties: false },
);
export type GuardrailsFile = Static<typeof GuardrailsFileSchema>;
const validateFile = compileSchema<GuardrailsFile>(GuardrailsFileSchema);

/** The guardrails file (RIPOSTE_GUARDRAILS_FILE), checked at boot; a bad file stops the service with the reason. */
export function readGuardrailsFile(path: string | undefined): GuardrailsFile {
  if (!path) return {};
  if (!existsSync(path)) throw new ConfigError([`RIPOSTE_GUARDRAILS_FILE: ${path} does not exist`]);
  let value: unknown;
  try {
    value = parse(readFileSync(path, 'utf8'), { uniqueKeys: true, merge: false, maxAliasCount: 10 }) ?? {};
  } catch (error) {
    throw new ConfigError([`${path}: not valid YAML (${(error as Error).message.split('\n')[0]})`]);
  }
  if (!validateFile(value))
    throw new ConfigError(formatSchemaErrors(validateFile.errors).map((e) => `${path}: ${e.path || '/'} ${e.message}`));
  return value;
}

/** File settings over the defaults, then settings changed through the API over both. */
export function mergeSettings(file: GuardrailsFile, overrides: Partial<GuardrailsFile> | null): GuardrailSettings {
  const budgets = { ...DEFAULT_SETTINGS.budgets };
  for (const source of [file.budgets ?? {}, overrides?.budgets ?? {}]) {
    for (const [action, budget] of Object.entries(source))
      budgets[action] = { limit: budget.limit, windowMs: parseDuration(budget.window) };
  }
  return {
    protectDirectoryRoles:
      overrides?.protectDirectoryRoles ?? file.protectDirectoryRoles ?? DEFAULT_SETTINGS.protectDirectoryRoles,
    protectOwnApp: overrides?.protectOwnApp ?? file.protectOwnApp ?? DEFAULT_SETTINGS.protectOwnApp,
    maxEntitiesPerRun: overrides?.maxEntitiesPerRun ?? file.maxEntitiesPerRun ?? DEFAULT_SETTINGS.maxEntitiesPerRun,
    budgets,
  };
}
