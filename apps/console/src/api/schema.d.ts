// Generated from GET /openapi.json by `npm run console:api`: do not edit.

export interface paths {
    "/api/v1/actions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["ActionsController_list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/actions/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["ActionsController_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/alerts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["AlertsController_list"];
        put?: never;
        post: operations["AlertsController_ingest"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/alerts/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["AlertsController_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/api-keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["ApiKeysController_list"];
        put?: never;
        post: operations["ApiKeysController_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/api-keys/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        delete: operations["ApiKeysController_revoke"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/approvals/history": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["ApprovalsController_history"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["AuditController_list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/audit/verify": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["AuditController_verify"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/config": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["AuthConfigController_signInOptions"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/automation": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["GuardrailsController_state"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/automation/pause": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: operations["GuardrailsController_pause"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/automation/resume": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: operations["GuardrailsController_resume"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/changes": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["LiveController_listChanges"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/connection-targets": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["ConnectionTargetsController_list"];
        put?: never;
        post: operations["ConnectionTargetsController_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/connection-targets/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["ConnectionTargetsController_get"];
        put?: never;
        post?: never;
        delete: operations["ConnectionTargetsController_delete"];
        options?: never;
        head?: never;
        patch: operations["ConnectionTargetsController_update"];
        trace?: never;
    };
    "/api/v1/connection-targets/{name}/authorize": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: operations["ConnectionTargetsController_authorize"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/connection-targets/{name}/device-code": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: operations["ConnectionTargetsController_startDeviceCode"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/connection-targets/{name}/device-code/complete": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: operations["ConnectionTargetsController_completeDeviceCode"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/connection-targets/{name}/sign-in": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        delete: operations["ConnectionTargetsController_signOut"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/connection-targets/{name}/test": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: operations["ConnectionTargetsController_test"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/connectors": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["AlertsController_listConnectors"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/connectors/{connectionTarget}/{feed}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put: operations["AlertsController_configure"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/connectors/{connectionTarget}/{feed}/poll": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: operations["AlertsController_poll"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["LiveController_stream"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/export/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["ExportController_events"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/export/sinks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["ExportController_list"];
        put?: never;
        post: operations["ExportController_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/export/sinks/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["ExportController_get"];
        put?: never;
        post?: never;
        delete: operations["ExportController_delete"];
        options?: never;
        head?: never;
        patch: operations["ExportController_update"];
        trace?: never;
    };
    "/api/v1/export/sinks/{name}/drained": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["ExportController_drain"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/guardrails": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["GuardrailsController_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch: operations["GuardrailsController_update"];
        trace?: never;
    };
    "/api/v1/guardrails/protected": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: operations["GuardrailsController_protect"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/guardrails/protected/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        delete: operations["GuardrailsController_unprotect"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["LiveController_me"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/notification-channels": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["NotificationChannelsController_list"];
        put?: never;
        post: operations["NotificationChannelsController_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/notification-channels/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["NotificationChannelsController_get"];
        put?: never;
        post?: never;
        delete: operations["NotificationChannelsController_delete"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/notification-channels/{name}/test": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: operations["NotificationChannelsController_test"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/playbooks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["PlaybooksController_list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/playbooks/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["PlaybooksController_get"];
        put: operations["PlaybooksController_upload"];
        post?: never;
        delete: operations["PlaybooksController_delete"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/playbooks/{id}/automation": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put: operations["PlaybooksController_automation"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/playbooks/{id}/graph": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["PlaybooksController_graph"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/playbooks/{id}/runs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: operations["PlaybooksController_start"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/playbooks/rehearse": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: operations["PlaybooksController_rehearse"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/playbooks/validate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: operations["PlaybooksController_validate"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/responses": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: operations["ResponsesController_start"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/runs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["RunsController_list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/runs/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["RunsController_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/runs/{id}/approvals/{stepId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: operations["RunsController_decide"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/runs/{id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: operations["RunsController_cancel"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/runs/{id}/revert": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: operations["RunsController_revert"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/schema/playbook.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["PlaybooksController_schema"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/sign-in/redirect": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["SignInController_redirect"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["OperationsController_check"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        Action: {
            description: string;
            destructive: boolean;
            id: string;
            /** @description JSON Schema of the action input. */
            inputSchema: {
                [key: string]: unknown;
            };
            inverse: string | null;
            requiredRoles: {
                resource: string;
                role: string;
                satisfiedBy?: string[];
            }[];
            title: string;
        };
        /** @description A normalized alert (more fields of the normalized form may be present). */
        Alert: {
            category: string | null;
            connectionTarget: string | null;
            createdDateTime: string | null;
            description: string | null;
            devices: {
                azureAdDeviceId: string | null;
                deviceDnsName: string | null;
                ipAddresses: string[];
                mdeDeviceId: string | null;
                osPlatform: string | null;
                roles: string[];
            }[];
            evidenceTypes: string[];
            /** Format: uuid */
            id: string;
            ips: {
                address: string;
                roles: string[];
            }[];
            isUpdate: boolean;
            lastUpdateDateTime: string;
            mailboxes: {
                displayName: string | null;
                primaryAddress: string | null;
                upn: string | null;
            }[];
            productName: string | null;
            providerAlertId: string;
            /** Format: date-time */
            receivedAt: string;
            serviceSource: string | null;
            severity: string;
            source: string;
            status: string;
            title: string;
            urls: {
                roles: string[];
                url: string;
            }[];
            users: {
                accountName: string | null;
                azureAdUserId: string | null;
                displayName: string | null;
                domainName: string | null;
                roles: string[];
                userPrincipalName: string | null;
            }[];
        };
        AlertDetail: {
            category: string | null;
            connectionTarget: string | null;
            createdDateTime: string | null;
            description: string | null;
            devices: {
                azureAdDeviceId: string | null;
                deviceDnsName: string | null;
                ipAddresses: string[];
                mdeDeviceId: string | null;
                osPlatform: string | null;
                roles: string[];
            }[];
            evidenceTypes: string[];
            /** Format: uuid */
            id: string;
            ips: {
                address: string;
                roles: string[];
            }[];
            isUpdate: boolean;
            lastUpdateDateTime: string;
            mailboxes: {
                displayName: string | null;
                primaryAddress: string | null;
                upn: string | null;
            }[];
            productName: string | null;
            providerAlertId: string;
            raw: unknown;
            /** Format: date-time */
            receivedAt: string;
            runs: {
                /** Format: date-time */
                createdAt: string;
                id: string;
                playbook: string | null;
                /** @enum {unknown} */
                status: "queued" | "running" | "waiting" | "succeeded" | "failed" | "cancelled";
            }[];
            serviceSource: string | null;
            severity: string;
            source: string;
            status: string;
            title: string;
            urls: {
                roles: string[];
                url: string;
            }[];
            users: {
                accountName: string | null;
                azureAdUserId: string | null;
                displayName: string | null;
                domainName: string | null;
                roles: string[];
                userPrincipalName: string | null;
            }[];
        };
        AlertPage: {
            items: components["schemas"]["Alert"][];
            nextCursor: string | null;
        };
        ApiKey: {
            /** Format: date-time */
            createdAt: string;
            createdBy: string | null;
            id: string;
            lastUsedAt: string | null;
            name: string;
            prefix: string;
            /** @enum {unknown} */
            role: "viewer" | "analyst" | "author" | "admin" | "ingest";
        };
        ApiKeyCreated: {
            /** Format: date-time */
            createdAt: string;
            createdBy: string | null;
            id: string;
            /** @description Shown once, stored hashed. */
            key: string;
            lastUsedAt: string | null;
            name: string;
            prefix: string;
            /** @enum {unknown} */
            role: "viewer" | "analyst" | "author" | "admin" | "ingest";
        };
        ApiKeyPage: {
            items: components["schemas"]["ApiKey"][];
            nextCursor: string | null;
        };
        AuditPage: {
            items: components["schemas"]["AuditRecord"][];
            nextCursor: string | null;
        };
        AuditRecord: {
            action: string;
            actor: string;
            actorRole: string;
            /** Format: date-time */
            at: string;
            connectionTarget: string | null;
            detail: {
                [key: string]: unknown;
            } | null;
            id: string;
            requestId: string | null;
            /** @enum {unknown} */
            result: "success" | "failure" | "denied" | "planned";
            runId: string | null;
            seq: number;
            targetEntity: string | null;
        };
        AuditVerification: {
            /** @description Records checked before the end or the first broken one. */
            checked: number;
            firstBroken?: {
                id: string;
                /** @description What does not match, in words. */
                reason: string;
                seq: number;
            };
            /** @description The hash of the last good record: kept elsewhere, it also reveals a cut-off tail. */
            head: string;
            /** @description True when every record matches its hash and links to the one before it. */
            ok: boolean;
        };
        AuthConfig: {
            /** @description API keys are always accepted. */
            apiKey: boolean;
            /** @description Present when Entra ID sign-in is configured (RIPOSTE_OIDC_CLIENT_ID). */
            entra?: {
                /** @description e.g. https://login.microsoftonline.com/{tenant-id} */
                authority: string;
                /** @description The console's app registration (SPA platform). */
                clientId: string;
                /** @description What the console asks for: a token for this API. */
                scopes: string[];
            };
        };
        Automation: {
            by: string | null;
            paused: boolean;
            reason: string | null;
            released?: number;
            since: string | null;
        };
        Change: {
            action: string;
            /** Format: date-time */
            at: string;
            connectionTarget: string;
            entity: string;
            id: string;
            runId: string;
            settledAt: string | null;
            /** @enum {unknown} */
            status: "intended" | "sent" | "succeeded" | "failed";
            step: string;
        };
        ChangePage: {
            items: components["schemas"]["Change"][];
            nextCursor: string | null;
        };
        ConnectionTarget: {
            auth: {
                certificateThumbprint?: string;
                clientId?: string | null;
                expiresAt: string | null;
                hasSecret: boolean;
                type: string;
            };
            clientId: string | null;
            /** @enum {unknown} */
            cloud: "public" | "usgov" | "china" | "custom";
            /** Format: date-time */
            createdAt: string;
            endpoints: {
                [key: string]: string;
            };
            name: string;
            scopes: {
                [key: string]: string;
            };
            tenantId: string;
            /** Format: date-time */
            updatedAt: string;
        };
        ConnectionTargetPage: {
            items: components["schemas"]["ConnectionTarget"][];
            nextCursor: string | null;
        };
        ConnectionTest: {
            actions: {
                action: string;
                missing: {
                    fix: string;
                    resource: string;
                    role: string;
                }[];
                ready: boolean;
            }[];
            ok: boolean;
            resources: {
                error?: {
                    code: string;
                    message: string;
                };
                grantedRoles: string[];
                missingRoles: string[];
                ok: boolean;
                resource: string;
            }[];
        };
        Connector: {
            connectionTarget: string;
            cooldownUntil: string | null;
            enabled: boolean;
            /** @enum {unknown} */
            feed: "alerts" | "incidents";
            fetched: number;
            intervalSeconds: number;
            lastPollAt: string | null;
            lastSuccessAt: string | null;
            lookbackSeconds: number;
            message: string | null;
            /** @enum {unknown} */
            status: "ok" | "throttled" | "forbidden" | "error" | "idle";
            totalFetched: number;
            watermark: string | null;
        };
        ConnectorPage: {
            items: components["schemas"]["Connector"][];
            nextCursor: null;
        };
        DecidedApproval: {
            comment: string | null;
            /** Format: date-time */
            decidedAt: string;
            decidedBy: string;
            decidedByRole: string;
            /** @enum {unknown} */
            decision: "approve" | "reject";
            /** @description The audit record of the decision. */
            id: string;
            /**
             * @description A playbook's approval step, or a step a guardrail held (budget, blast radius, automation paused).
             * @enum {unknown}
             */
            kind: "approval" | "guardrail_hold";
            playbook: {
                id: string;
                version: number;
            } | null;
            /** Format: uuid */
            runId: string;
            step: string;
        };
        DecidedApprovalPage: {
            items: components["schemas"]["DecidedApproval"][];
            nextCursor: string | null;
        };
        Decision: {
            decision: string;
            runId: string;
            step: string;
        };
        /** @description Signed in (200), or still waiting for the person to enter the code (202). */
        DeviceCodeOutcome: {
            connectionTarget: components["schemas"]["ConnectionTarget"];
            /** @constant */
            status: "signed_in";
        } | {
            /** Format: date-time */
            expiresAt: string;
            intervalSeconds: number;
            /** @description Entra ID's own instructions, in words. */
            message: string;
            /** @constant */
            status: "pending";
            userCode: string;
            verificationUri: string;
        };
        DeviceCodeStart: {
            /** Format: date-time */
            expiresAt: string;
            intervalSeconds: number;
            /** @description Entra ID's own instructions, in words. */
            message: string;
            userCode: string;
            verificationUri: string;
        };
        ExportSink: {
            /** Format: date-time */
            createdAt: string;
            /** @description The seq of the last event delivered. */
            cursor: number;
            deadLetters: number;
            delivered: number;
            enabled: boolean;
            failures: number;
            hasToken: boolean;
            /** @description Events waiting behind the cursor. */
            lag: number;
            lastAttemptAt: string | null;
            lastSuccessAt: string | null;
            message: string | null;
            name: string;
            nextAttemptAt: string | null;
            /** @description By type (never a secret): see docs/API.md. */
            settings: {
                [key: string]: unknown;
            };
            /** @enum {unknown} */
            status: "ok" | "retrying" | "error" | "disabled" | "idle";
            /** @enum {unknown} */
            type: "syslog" | "splunkHec" | "azureMonitor";
            /** Format: date-time */
            updatedAt: string;
        };
        ExportSinkPage: {
            items: components["schemas"]["ExportSink"][];
            nextCursor: null;
        };
        Guardrails: {
            automation: components["schemas"]["Automation"];
            budgets: {
                [key: string]: {
                    limit: number;
                    windowSeconds: number;
                };
            };
            maxEntitiesPerRun: number;
            protectDirectoryRoles: boolean;
            protected: components["schemas"]["ProtectedEntity"][];
            protectOwnApp: boolean;
        };
        Health: {
            details: unknown;
            error?: unknown;
            info?: unknown;
            status: string;
        };
        IngestResult: {
            accepted: number;
            alerts: {
                duplicate: boolean;
                id: string;
                providerAlertId: string;
                runs: string[];
                skipped: {
                    playbook: string;
                    reason: string;
                }[];
                update: boolean;
            }[];
            duplicates: number;
        };
        Me: {
            id: string;
            /** @enum {unknown} */
            kind: "api_key" | "user" | "system";
            name: string;
            /** @enum {unknown} */
            role: "viewer" | "analyst" | "author" | "admin" | "ingest";
        };
        NotificationChannel: {
            connectionTarget: string | null;
            /** Format: date-time */
            createdAt: string;
            hasToken: boolean;
            hasUrl: boolean;
            host: string | null;
            /** @enum {unknown} */
            kind: "teams" | "slack" | "email" | "webhook";
            mailbox: string | null;
            name: string;
            to: string[];
            /** Format: date-time */
            updatedAt: string;
        };
        NotificationChannelPage: {
            items: components["schemas"]["NotificationChannel"][];
            nextCursor: null;
        };
        NotificationReceipt: {
            channel: string;
            kind: string;
            /** @description The HTTP status the channel answered. */
            status: number;
        };
        Playbook: {
            connection: string | null;
            currentVersion: number;
            description: string | null;
            enabled: boolean;
            file: string | null;
            id: string;
            inputs: unknown;
            name: string;
            outputs: string[];
            sha256: string;
            source: string;
            steps: {
                action?: string;
                id: string;
                kind: string;
            }[];
            triggers: unknown[];
            version: number;
            versions: unknown[];
            yaml: string;
        };
        PlaybookAutomation: {
            automation: {
                changedAt: string | null;
                changedBy: string | null;
                /** @description Whether alerts matching the triggers start runs on their own. */
                enabled: boolean;
                reason: string | null;
            };
            id: string;
        };
        PlaybookPage: {
            items: components["schemas"]["PlaybookSummary"][];
            nextCursor: string | null;
        };
        PlaybookSaved: {
            changed: boolean;
            id: string;
            sha256: string;
            version: number;
        };
        PlaybookSummary: {
            enabled: boolean;
            file: string | null;
            id: string;
            name: string;
            source: string;
            triggers: unknown[];
            /** Format: date-time */
            updatedAt: string;
            version: number;
        };
        PlaybookValidation: {
            errors?: {
                column?: number;
                line?: number;
                message: string;
                path: string;
            }[];
            valid: boolean;
        };
        Problem: {
            /** @description A stable machine-readable reason, e.g. `validation_failed`, `forbidden`, `protected_entity`. */
            code: string;
            detail: string;
            errors?: {
                column?: number;
                line?: number;
                message: string;
                path: string;
            }[];
            requestId?: string;
            status: number;
            title: string;
            type: string;
        };
        ProtectedEntity: {
            id: string;
            /** @enum {unknown} */
            kind: "user" | "group" | "machine" | "machineTag";
            reason: string | null;
            /** @enum {unknown} */
            source: "file" | "api";
            value: string;
        };
        Rehearsal: {
            cases: {
                name: string;
                outputs: {
                    [key: string]: unknown;
                };
                passed: boolean;
                /** @description The steps taken, in order. */
                path: string[];
                /** @description What differed from `expect`, in words. */
                problems: string[];
                /** @enum {unknown} */
                status: "succeeded" | "failed" | "waiting";
            }[];
            failed: number;
            passed: number;
            playbook: string;
        };
        /** @description The run started (or, with ?wait=, the run itself once it ended). */
        RunAccepted: {
            /** Format: uuid */
            runId: string;
            status?: string;
        };
        RunDetail: {
            connectionTarget: string | null;
            /** Format: date-time */
            createdAt: string;
            dryRun: boolean;
            endedAt: string | null;
            error: {
                code: string;
                message: string;
            } | null;
            /** Format: uuid */
            id: string;
            input: {
                [key: string]: unknown;
            } | null;
            /** @enum {unknown} */
            kind: "response" | "playbook";
            output: {
                [key: string]: unknown;
            } | null;
            playbook?: {
                id: string;
                version: number;
            };
            reason: string | null;
            startedAt: string | null;
            /** @enum {unknown} */
            status: "queued" | "running" | "waiting" | "succeeded" | "failed" | "cancelled";
            steps: components["schemas"]["Step"][];
            timeline?: {
                /** Format: date-time */
                at: string;
                detail: unknown;
                step: string | null;
                type: string;
            }[];
            trigger: {
                alertId?: string;
                by?: string;
                parentRunId?: string;
                revertOf?: string;
                /** @enum {unknown} */
                type: "api" | "alert" | "revert" | "playbook";
            };
            waitingFor?: components["schemas"]["WaitingFor"][];
        };
        RunPage: {
            items: components["schemas"]["RunSummary"][];
            nextCursor: string | null;
        };
        RunSummary: {
            connectionTarget: string | null;
            /** Format: date-time */
            createdAt: string;
            dryRun: boolean;
            endedAt: string | null;
            error: {
                code: string;
                message: string;
            } | null;
            /** Format: uuid */
            id: string;
            input: {
                [key: string]: unknown;
            } | null;
            /** @enum {unknown} */
            kind: "response" | "playbook";
            output: {
                [key: string]: unknown;
            } | null;
            playbook?: {
                id: string;
                version: number;
            };
            reason: string | null;
            startedAt: string | null;
            /** @enum {unknown} */
            status: "queued" | "running" | "waiting" | "succeeded" | "failed" | "cancelled";
            trigger: {
                alertId?: string;
                by?: string;
                parentRunId?: string;
                revertOf?: string;
                /** @enum {unknown} */
                type: "api" | "alert" | "revert" | "playbook";
            };
        };
        SignInRedirect: {
            connectionTarget: components["schemas"]["ConnectionTarget"];
            message: string;
        };
        SignInStart: {
            /** Format: date-time */
            expiresAt: string;
            redirectUri: string;
            /** @description The sign-in page to open in a browser (PKCE, one-time state). */
            url: string;
        };
        Step: {
            action: string | null;
            attempts: number;
            endedAt: string | null;
            error: {
                code: string;
                message: string;
            } | null;
            id: string;
            input: {
                [key: string]: unknown;
            } | null;
            output: unknown;
            startedAt: string | null;
            /** @enum {unknown} */
            status: "pending" | "running" | "waiting" | "succeeded" | "failed" | "skipped" | "planned" | "cancelled";
        };
        WaitingFor: {
            approvers: string[];
            deadline: string | null;
            /** @enum {unknown} */
            kind: "approval" | "budget" | "blast_radius" | "paused";
            prompt: string;
            step: string;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    ActionsController_list: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused: what is wrong and where (problem details). */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The service or Azure could not answer (problem details, never a stack trace). */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Action"][];
                };
            };
        };
    };
    ActionsController_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused: what is wrong and where (problem details). */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The service or Azure could not answer (problem details, never a stack trace). */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Action"];
                };
            };
        };
    };
    AlertsController_list: {
        parameters: {
            query?: {
                cursor?: string;
                limit?: number;
                severity?: string;
                since?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused: what is wrong and where (problem details). */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The service or Azure could not answer (problem details, never a stack trace). */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AlertPage"];
                };
            };
        };
    };
    AlertsController_ingest: {
        parameters: {
            query?: never;
            header?: {
                /** @description The same key with the same body returns the first answer and starts nothing new; with a different body, 409. */
                "Idempotency-Key"?: string;
                /** @description sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>" with RIPOSTE_WEBHOOK_SECRET>, instead of an API key. */
                "X-Riposte-Signature"?: string;
                /** @description Unix time in seconds; must be within 5 minutes. */
                "X-Riposte-Timestamp"?: string;
            };
            path?: never;
            cookie?: never;
        };
        /** @description A Microsoft Graph security alert (alerts_v2 shape), or { "value": [ ... ] }. */
        requestBody: {
            content: {
                "application/json": Record<string, never>;
            };
        };
        responses: {
            /** @description The request was refused: what is wrong and where (problem details). */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The service or Azure could not answer (problem details, never a stack trace). */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Success. */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["IngestResult"];
                };
            };
        };
    };
    AlertsController_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused: what is wrong and where (problem details). */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The service or Azure could not answer (problem details, never a stack trace). */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AlertDetail"];
                };
            };
        };
    };
    ApiKeysController_list: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused: what is wrong and where (problem details). */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The service or Azure could not answer (problem details, never a stack trace). */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiKeyPage"];
                };
            };
        };
    };
    ApiKeysController_create: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /**
                     * Format: date-time
                     * @description After this the key stops working (401).
                     */
                    expiresAt?: string;
                    name: string;
                    /** @enum {unknown} */
                    role: "viewer" | "analyst" | "author" | "admin" | "ingest" | "export";
                };
            };
        };
        responses: {
            /** @description The request was refused: what is wrong and where (problem details). */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The service or Azure could not answer (problem details, never a stack trace). */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Success. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiKeyCreated"];
                };
            };
        };
    };
    ApiKeysController_revoke: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused: what is wrong and where (problem details). */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The service or Azure could not answer (problem details, never a stack trace). */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Success. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    ApprovalsController_history: {
        parameters: {
            query?: {
                cursor?: string;
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused: what is wrong and where (problem details). */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The service or Azure could not answer (problem details, never a stack trace). */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DecidedApprovalPage"];
                };
            };
        };
    };
    AuditController_list: {
        parameters: {
            query?: {
                action?: string;
                actor?: string;
                connectionTarget?: string;
                cursor?: string;
                limit?: number;
                runId?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused: what is wrong and where (problem details). */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The service or Azure could not answer (problem details, never a stack trace). */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AuditPage"];
                };
            };
        };
    };
    AuditController_verify: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused: what is wrong and where (problem details). */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The service or Azure could not answer (problem details, never a stack trace). */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AuditVerification"];
                };
            };
        };
    };
    AuthConfigController_signInOptions: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused: what is wrong and where (problem details). */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The service or Azure could not answer (problem details, never a stack trace). */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AuthConfig"];
                };
            };
        };
    };
    GuardrailsController_state: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused: what is wrong and where (problem details). */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The service or Azure could not answer (problem details, never a stack trace). */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Automation"];
                };
            };
        };
    };
    GuardrailsController_pause: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    reason?: string;
                };
            };
        };
        responses: {
            /** @description The request was refused: what is wrong and where (problem details). */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The service or Azure could not answer (problem details, never a stack trace). */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Automation"];
                };
            };
        };
    };
    GuardrailsController_resume: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused: what is wrong and where (problem details). */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The service or Azure could not answer (problem details, never a stack trace). */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Automation"];
                };
            };
        };
    };
    LiveController_listChanges: {
        parameters: {
            query?: {
                action?: string;
                cursor?: string;
                entity?: string;
                limit?: number;
                run?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused: what is wrong and where (problem details). */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The service or Azure could not answer (problem details, never a stack trace). */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ChangePage"];
                };
            };
        };
    };
    ConnectionTargetsController_list: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused: what is wrong and where (problem details). */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The service or Azure could not answer (problem details, never a stack trace). */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ConnectionTargetPage"];
                };
            };
        };
    };
    ConnectionTargetsController_create: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    auth: {
                        /** @description The Value of the client secret (write-only). */
                        clientSecret: string;
                        /**
                         * Format: date-time
                         * @description When the secret expires, as shown in the Azure portal.
                         */
                        expiresAt?: string;
                        /** @constant */
                        type: "clientSecret";
                    } | {
                        certificatePem: string;
                        /**
                         * Format: date-time
                         * @description Defaults to the certificate's notAfter.
                         */
                        expiresAt?: string;
                        /** @description Write-only. */
                        privateKeyPem: string;
                        /** @constant */
                        type: "clientCertificate";
                    } | {
                        /** @description The client id of a user-assigned identity; omit for system-assigned. */
                        clientId?: string;
                        /** @constant */
                        type: "managedIdentity";
                    } | {
                        /** @description The Value of the web app's client secret (write-only). A person then signs in through POST …/authorize. */
                        clientSecret: string;
                        /**
                         * Format: date-time
                         * @description When the secret expires, as shown in the Azure portal.
                         */
                        expiresAt?: string;
                        /** @constant */
                        type: "authorizationCode";
                    } | {
                        /** @constant */
                        type: "deviceCode";
                    };
                    /** @description Application (client) ID. Required unless auth.type is managedIdentity. */
                    clientId?: string;
                    /**
                     * @default public
                     * @enum {unknown}
                     */
                    cloud: "public" | "usgov" | "china" | "custom";
                    /** @description Only with cloud "custom": base URLs in the same form as the public ones. */
                    endpoints?: {
                        authority: string;
                        defender?: string;
                        graph: string;
                        management?: string;
                    };
                    /** @description The name playbooks and responses use to address the target. */
                    name: string;
                    /** @description Resource group name (letters, digits, - _ . ( ), not ending with a period). */
                    resourceGroup?: string;
                    scopes?: {
                        defender?: string;
                        graph?: string;
                        management?: string;
                    };
                    /** @description Azure subscription of the resources (Azure Resource Manager), as in seed 003. */
                    subscriptionId?: string;
                    /** @description Directory (tenant) ID. */
                    tenantId: string;
                };
            };
        };
        responses: {
            /** @description The request was refused: what is wrong and where (problem details). */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The service or Azure could not answer (problem details, never a stack trace). */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Success. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ConnectionTarget"];
                };
            };
        };
    };
    ConnectionTargetsController_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused: what is wrong and where (problem details). */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The service or Azure could not answer (problem details, never a stack trace). */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ConnectionTarget"];
                };
            };
        };
    };
    ConnectionTargetsController_delete: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused: what is wrong and where (problem details). */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The service or Azure could not answer (problem details, never a stack trace). */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Success. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    ConnectionTargetsController_update: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    auth?: {
                        /** @description The Value of the client secret (write-only). */
                        clientSecret: string;
                        /**
                         * Format: date-time
                         * @description When the secret expires, as shown in the Azure portal.
                         */
                        expiresAt?: string;
                        /** @constant */
                        type: "clientSecret";
                    } | {
                        certificatePem: string;
                        /**
                         * Format: date-time
                         * @description Defaults to the certificate's notAfter.
                         */
                        expiresAt?: string;
                        /** @description Write-only. */
                        privateKeyPem: string;
                        /** @constant */
                        type: "clientCertificate";
                    } | {
                        /** @description The client id of a user-assigned identity; omit for system-assigned. */
                        clientId?: string;
                        /** @constant */
                        type: "managedIdentity";
                    } | {
                        /** @description The Value of the web app's client secret (write-only). A person then signs in through POST …/authorize. */
                        clientSecret: string;
                        /**
                         * Format: date-time
                         * @description When the secret expires, as shown in the Azure portal.
                         */
                        expiresAt?: string;
                        /** @constant */
                        type: "authorizationCode";
                    } | {
                        /** @constant */
                        type: "deviceCode";
                    };
                    clientId?: string;
                    /** @enum {unknown} */
                    cloud?: "public" | "usgov" | "china" | "custom";
                    /** @description Only with cloud "custom": base URLs in the same form as the public ones. */
                    endpoints?: {
                        authority: string;
                        defender?: string;
                        graph: string;
                        management?: string;
                    };
                    resourceGroup?: string | null;
                    scopes?: {
                        defender?: string;
                        graph?: string;
                        management?: string;
                    };
                    subscriptionId?: string | null;
                    tenantId?: string;
                };
            };
        };
        responses: {
            /** @description The request was refused: what is wrong and where (problem details). */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The service or Azure could not answer (problem details, never a stack trace). */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ConnectionTarget"];
                };
            };
        };
    };
    ConnectionTargetsController_authorize: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused: what is wrong and where (problem details). */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The service or Azure could not answer (problem details, never a stack trace). */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SignInStart"];
                };
            };
        };
    };
    ConnectionTargetsController_startDeviceCode: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused: what is wrong and where (problem details). */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The service or Azure could not answer (problem details, never a stack trace). */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Success. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeviceCodeStart"];
                };
            };
        };
    };
    ConnectionTargetsController_completeDeviceCode: {
        parameters: {
            query?: {
                waitSeconds?: number;
            };
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused: what is wrong and where (problem details). */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The service or Azure could not answer (problem details, never a stack trace). */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeviceCodeOutcome"];
                };
            };
        };
    };
    ConnectionTargetsController_signOut: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused: what is wrong and where (problem details). */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The service or Azure could not answer (problem details, never a stack trace). */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ConnectionTarget"];
                };
            };
        };
    };
    ConnectionTargetsController_test: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused: what is wrong and where (problem details). */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The service or Azure could not answer (problem details, never a stack trace). */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ConnectionTest"];
                };
            };
        };
    };
    AlertsController_listConnectors: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused: what is wrong and where (problem details). */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The service or Azure could not answer (problem details, never a stack trace). */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ConnectorPage"];
                };
            };
        };
    };
    AlertsController_configure: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                connectionTarget: string;
                feed: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    enabled: boolean;
                    intervalSeconds?: number;
                    /** @description How far back the first poll looks. */
                    lookbackSeconds?: number;
                };
            };
        };
        responses: {
            /** @description The request was refused: what is wrong and where (problem details). */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The service or Azure could not answer (problem details, never a stack trace). */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Connector"];
                };
            };
        };
    };
    AlertsController_poll: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                connectionTarget: string;
                feed: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused: what is wrong and where (problem details). */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The service or Azure could not answer (problem details, never a stack trace). */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Connector"];
                };
            };
        };
    };
    LiveController_stream: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused: what is wrong and where (problem details). */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The service or Azure could not answer (problem details, never a stack trace). */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Server-sent events: `ready` once, then `run`, `step`, `approval` and `connector` events as they happen (each `data` is one JSON object: ids and states, never inputs or secrets). Send the key in the Authorization header (a fetch-based reader; EventSource cannot). After a reconnect, read the lists again: missed events are not replayed. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/event-stream": string;
                };
            };
        };
    };
    ExportController_events: {
        parameters: {
            query?: {
                cursor?: string;
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused: what is wrong and where (problem details). */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The service or Azure could not answer (problem details, never a stack trace). */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/x-ndjson": string;
                };
            };
        };
    };
    ExportController_list: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused: what is wrong and where (problem details). */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The service or Azure could not answer (problem details, never a stack trace). */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ExportSinkPage"];
                };
            };
        };
    };
    ExportController_create: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @default true */
                    enabled?: boolean;
                    /** @description How the sink is addressed. */
                    name: string;
                    /** @description By type: see docs/API.md. */
                    settings: {
                        [key: string]: unknown;
                    };
                    /**
                     * @description beginning: every event still kept; now: only events from now on.
                     * @default beginning
                     * @enum {unknown}
                     */
                    startAt?: "beginning" | "now";
                    /** @description The HEC token (write-only; splunkHec only). */
                    token?: string;
                    /** @enum {unknown} */
                    type: "syslog" | "splunkHec" | "azureMonitor";
                };
            };
        };
        responses: {
            /** @description The request was refused: what is wrong and where (problem details). */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The service or Azure could not answer (problem details, never a stack trace). */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Success. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ExportSink"];
                };
            };
        };
    };
    ExportController_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused: what is wrong and where (problem details). */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The service or Azure could not answer (problem details, never a stack trace). */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ExportSink"];
                };
            };
        };
    };
    ExportController_delete: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused: what is wrong and where (problem details). */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The service or Azure could not answer (problem details, never a stack trace). */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Success. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    ExportController_update: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    enabled?: boolean;
                    /** @description Merged into the current settings. */
                    settings?: {
                        [key: string]: unknown;
                    };
                    /** @description The HEC token (write-only; splunkHec only). */
                    token?: string;
                };
            };
        };
        responses: {
            /** @description The request was refused: what is wrong and where (problem details). */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The service or Azure could not answer (problem details, never a stack trace). */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ExportSink"];
                };
            };
        };
    };
    ExportController_drain: {
        parameters: {
            query?: {
                wait?: number;
            };
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused: what is wrong and where (problem details). */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The service or Azure could not answer (problem details, never a stack trace). */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ExportSink"];
                };
            };
        };
    };
    GuardrailsController_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused: what is wrong and where (problem details). */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The service or Azure could not answer (problem details, never a stack trace). */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Guardrails"];
                };
            };
        };
    };
    GuardrailsController_update: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    budgets?: {
                        [key: string]: {
                            limit: number;
                            window: string;
                        };
                    };
                    maxEntitiesPerRun?: number;
                    protectDirectoryRoles?: boolean;
                    protectOwnApp?: boolean;
                };
            };
        };
        responses: {
            /** @description The request was refused: what is wrong and where (problem details). */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The service or Azure could not answer (problem details, never a stack trace). */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Guardrails"];
                };
            };
        };
    };
    GuardrailsController_protect: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @enum {unknown} */
                    kind: "user" | "group" | "machine" | "machineTag" | "azureResource" | "azureTag";
                    reason?: string;
                    value: string;
                };
            };
        };
        responses: {
            /** @description The request was refused: what is wrong and where (problem details). */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The service or Azure could not answer (problem details, never a stack trace). */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Success. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ProtectedEntity"];
                };
            };
        };
    };
    GuardrailsController_unprotect: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused: what is wrong and where (problem details). */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The service or Azure could not answer (problem details, never a stack trace). */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Success. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    LiveController_me: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused: what is wrong and where (problem details). */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The service or Azure could not answer (problem details, never a stack trace). */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Me"];
                };
            };
        };
    };
    NotificationChannelsController_list: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused: what is wrong and where (problem details). */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The service or Azure could not answer (problem details, never a stack trace). */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["NotificationChannelPage"];
                };
            };
        };
    };
    NotificationChannelsController_create: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description email: the connection target whose app sends (Mail.Send). */
                    connectionTarget?: string;
                    /**
                     * @description teams: a Teams workflow webhook (Adaptive Card); slack: an incoming webhook (blocks); email: Graph sendMail; webhook: any HTTPS endpoint (JSON).
                     * @enum {unknown}
                     */
                    kind: "teams" | "slack" | "email" | "webhook";
                    /**
                     * Format: email
                     * @description email: the mailbox mail is sent from.
                     */
                    mailbox?: string;
                    /** @description A slug, as playbooks and approvals name the channel. */
                    name: string;
                    /** @description email: the recipients. */
                    to?: string[];
                    /** @description Sent as `Authorization: Bearer <token>` (write-only). webhook only. */
                    token?: string;
                    /** @description The webhook URL (write-only, stored encrypted). teams, slack, webhook. */
                    url?: string;
                };
            };
        };
        responses: {
            /** @description The request was refused: what is wrong and where (problem details). */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The service or Azure could not answer (problem details, never a stack trace). */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Success. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["NotificationChannel"];
                };
            };
        };
    };
    NotificationChannelsController_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused: what is wrong and where (problem details). */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The service or Azure could not answer (problem details, never a stack trace). */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["NotificationChannel"];
                };
            };
        };
    };
    NotificationChannelsController_delete: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused: what is wrong and where (problem details). */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The service or Azure could not answer (problem details, never a stack trace). */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Success. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    NotificationChannelsController_test: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused: what is wrong and where (problem details). */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The service or Azure could not answer (problem details, never a stack trace). */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["NotificationReceipt"];
                };
            };
        };
    };
    PlaybooksController_list: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused: what is wrong and where (problem details). */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The service or Azure could not answer (problem details, never a stack trace). */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PlaybookPage"];
                };
            };
        };
    };
    PlaybooksController_get: {
        parameters: {
            query?: {
                /** @description An older version; the current one when absent. */
                version?: number;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused: what is wrong and where (problem details). */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The service or Azure could not answer (problem details, never a stack trace). */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Playbook"];
                };
            };
        };
    };
    PlaybooksController_upload: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        /** @description The playbook as YAML (Content-Type: application/yaml). */
        requestBody: {
            content: {
                "application/yaml": unknown;
            };
        };
        responses: {
            /** @description The request was refused: what is wrong and where (problem details). */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The service or Azure could not answer (problem details, never a stack trace). */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PlaybookSaved"];
                };
            };
            /** @description A new playbook. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PlaybookSaved"];
                };
            };
        };
    };
    PlaybooksController_delete: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused: what is wrong and where (problem details). */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The service or Azure could not answer (problem details, never a stack trace). */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Success. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    PlaybooksController_automation: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description true: alerts matching the triggers start runs on their own; false: the playbook runs only when started by hand. */
                    enabled: boolean;
                    /** @description Why, for the audit trail and the playbook. */
                    reason?: string;
                };
            };
        };
        responses: {
            /** @description The request was refused: what is wrong and where (problem details). */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The service or Azure could not answer (problem details, never a stack trace). */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PlaybookAutomation"];
                };
            };
        };
    };
    PlaybooksController_graph: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused: what is wrong and where (problem details). */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The service or Azure could not answer (problem details, never a stack trace). */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/vnd.mermaid": string;
                };
            };
        };
    };
    PlaybooksController_start: {
        parameters: {
            query?: never;
            header?: {
                /** @description The same key with the same body returns the first answer and starts nothing new; with a different body, 409. */
                "Idempotency-Key"?: string;
            };
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    connectionTarget?: string;
                    /** @description Evaluate conditions and plan every action with its exact request; send nothing. */
                    dryRun?: boolean;
                    inputs?: {
                        [key: string]: unknown;
                    };
                    /** @description Why: kept with the run and in the audit trail. */
                    reason?: string;
                };
            };
        };
        responses: {
            /** @description The request was refused: what is wrong and where (problem details). */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The service or Azure could not answer (problem details, never a stack trace). */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Success. */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RunAccepted"];
                };
            };
        };
    };
    PlaybooksController_rehearse: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description The playbook, as YAML text. */
                    playbook: string;
                    /** @description A rehearsal file (`playbook:` and `cases:`, as in playbooks/tests/*.rehearsal.yaml), as YAML text. */
                    rehearsal: string;
                };
            };
        };
        responses: {
            /** @description The request was refused: what is wrong and where (problem details). */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The service or Azure could not answer (problem details, never a stack trace). */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Rehearsal"];
                };
            };
        };
    };
    PlaybooksController_validate: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** @description The playbook as YAML (Content-Type: application/yaml). */
        requestBody: {
            content: {
                "application/yaml": unknown;
            };
        };
        responses: {
            /** @description The request was refused: what is wrong and where (problem details). */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The service or Azure could not answer (problem details, never a stack trace). */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PlaybookValidation"];
                };
            };
        };
    };
    ResponsesController_start: {
        parameters: {
            query?: {
                wait?: number;
            };
            header?: {
                /** @description The same key with the same body returns the first answer and starts nothing new; with a different body, 409. */
                "Idempotency-Key"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description An action id from GET /api/v1/actions. */
                    action: string;
                    connectionTarget: string;
                    /**
                     * @description Plan the exact request without sending it.
                     * @default false
                     */
                    dryRun?: boolean;
                    /** @description The action's input, as its inputSchema describes. */
                    input: {
                        [key: string]: unknown;
                    };
                    /** @description Why: kept with the run and in the audit trail. */
                    reason?: string;
                };
            };
        };
        responses: {
            /** @description The request was refused: what is wrong and where (problem details). */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The service or Azure could not answer (problem details, never a stack trace). */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Success. */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RunAccepted"];
                };
            };
        };
    };
    RunsController_list: {
        parameters: {
            query?: {
                alert?: string;
                connectionTarget?: string;
                cursor?: string;
                from?: string;
                limit?: number;
                playbook?: string;
                status?: "queued" | "running" | "waiting" | "succeeded" | "failed" | "cancelled";
                to?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused: what is wrong and where (problem details). */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The service or Azure could not answer (problem details, never a stack trace). */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RunPage"];
                };
            };
        };
    };
    RunsController_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused: what is wrong and where (problem details). */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The service or Azure could not answer (problem details, never a stack trace). */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RunDetail"];
                };
            };
        };
    };
    RunsController_decide: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                stepId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    comment?: string;
                    /** @enum {unknown} */
                    decision: "approve" | "reject";
                };
            };
        };
        responses: {
            /** @description The request was refused: what is wrong and where (problem details). */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The service or Azure could not answer (problem details, never a stack trace). */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Decision"];
                };
            };
        };
    };
    RunsController_cancel: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused: what is wrong and where (problem details). */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The service or Azure could not answer (problem details, never a stack trace). */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Success. */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RunDetail"];
                };
            };
        };
    };
    RunsController_revert: {
        parameters: {
            query?: never;
            header?: {
                /** @description The same key with the same body returns the first answer and starts nothing new; with a different body, 409. */
                "Idempotency-Key"?: string;
            };
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    /** @description Undo only these steps (as `step` in /api/v1/changes); all of them when left out. */
                    steps?: string[];
                };
            };
        };
        responses: {
            /** @description The request was refused: what is wrong and where (problem details). */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The service or Azure could not answer (problem details, never a stack trace). */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Success. */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RunAccepted"];
                };
            };
        };
    };
    PlaybooksController_schema: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused: what is wrong and where (problem details). */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The service or Azure could not answer (problem details, never a stack trace). */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/schema+json": string;
                };
            };
        };
    };
    SignInController_redirect: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused: what is wrong and where (problem details). */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The service or Azure could not answer (problem details, never a stack trace). */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SignInRedirect"];
                };
            };
        };
    };
    OperationsController_check: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request was refused: what is wrong and where (problem details). */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The Health Check is successful */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Health"];
                };
            };
        };
    };
}
