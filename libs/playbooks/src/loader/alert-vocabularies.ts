/*
 * The values Microsoft Graph security alerts (alerts_v2) carry, so that a trigger matching on a
 * value no alert has (a typo: `hgh`, `microsoftDefenderForEndpont`) is an error when the playbook
 * loads, not a trigger that silently never fires. Matching ignores case; so does this check.
 * Statuses include the legacy v1 alert statuses; evidence types are those the normalizer reads.
 */
export const ALERT_VOCABULARIES = {
  severity: ['unknown', 'informational', 'low', 'medium', 'high'],
  status: ['unknown', 'new', 'inProgress', 'resolved', 'newAlert', 'dismissed'],
  serviceSource: [
    'unknown', 'microsoftDefenderForEndpoint', 'microsoftDefenderForIdentity', 'microsoftDefenderForCloudApps', 'microsoftDefenderForOffice365', 'microsoft365Defender',
    'azureAdIdentityProtection', 'microsoftAppGovernance', 'dataLossPrevention', 'microsoftDefenderForCloud', 'microsoftSentinel', 'microsoftInsiderRiskManagement',
  ],
  detectionSource: [
    'unknown', 'microsoftDefenderForEndpoint', 'antivirus', 'smartScreen', 'customTi', 'microsoftDefenderForOffice365', 'automatedInvestigation', 'microsoftThreatExperts',
    'customDetection', 'microsoftDefenderForIdentity', 'cloudAppSecurity', 'microsoft365Defender', 'azureAdIdentityProtection', 'manual', 'microsoftDataLossPrevention',
    'appGovernancePolicy', 'appGovernanceDetection', 'microsoftDefenderForCloud', 'microsoftDefenderForIoT', 'microsoftDefenderForServers', 'microsoftDefenderForStorage',
    'microsoftDefenderForDNS', 'microsoftDefenderForDatabases', 'microsoftDefenderForContainers', 'microsoftDefenderForNetwork', 'microsoftDefenderForAppService',
    'microsoftDefenderForKeyVault', 'microsoftDefenderForResourceManager', 'microsoftDefenderForApiManagement', 'microsoftSentinel', 'nrtAlerts', 'scheduledAlerts',
    'microsoftDefenderThreatIntelligenceAnalytics', 'builtInMl', 'microsoftInsiderRiskManagement', 'microsoftThreatIntelligence', 'microsoftDefenderForAIServices', 'securityCopilot',
  ],
  evidence: ['user', 'device', 'ip', 'url', 'mailbox', 'analyzedMessage', 'mailCluster', 'file', 'process', 'azureResource'],
} as const;

export type VocabularyField = keyof typeof ALERT_VOCABULARIES;
