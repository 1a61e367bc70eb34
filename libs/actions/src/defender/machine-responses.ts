import Type, { type Static } from 'typebox';
import type { RequiredRole } from '../action-definition.js';
import { ActionComment, machineAction, MachineRef } from './machine-action.js';

const role = (name: string): RequiredRole => ({ resource: 'defender', role: name });

const MachineInput = Type.Object(
  { machine: MachineRef, comment: Type.Optional(ActionComment) },
  { additionalProperties: false },
);
type MachineInput = Static<typeof MachineInput>;

const ScanInput = Type.Object(
  {
    machine: MachineRef,
    comment: Type.Optional(ActionComment),
    scanType: Type.Optional(Type.Enum(['Quick', 'Full'], { default: 'Quick' })),
  },
  { additionalProperties: false },
);
type ScanInput = Static<typeof ScanInput>;

const QuarantineInput = Type.Object(
  {
    machine: MachineRef,
    sha1: Type.String({
      pattern: '^[0-9a-fA-F]{40}$',
      description: "The file's SHA-1 (Defender stops and quarantines by SHA-1 only).",
    }),
    comment: Type.Optional(ActionComment),
  },
  { additionalProperties: false },
);
type QuarantineInput = Static<typeof QuarantineInput>;

export const runAntivirusScan = machineAction<ScanInput>({
  id: 'defender.run_antivirus_scan',
  title: 'Run a Microsoft Defender Antivirus scan (Defender for Endpoint)',
  description:
    'Starts a quick or full antivirus scan on the machine (POST /api/machines/{id}/runAntiVirusScan), then follows the machine action to its end.',
  inputSchema: ScanInput,
  requiredRoles: [role('Machine.Scan')],
  inverse: null,
  type: 'RunAntiVirusScan',
  segment: 'runAntiVirusScan',
  api: 'scan',
  defaultComment: 'Antivirus scan by Riposte',
  params: (input) => ({ ScanType: input.scanType ?? 'Quick' }),
});

function restriction(restrict: boolean) {
  return machineAction<MachineInput>({
    id: restrict ? 'defender.restrict_app_execution' : 'defender.unrestrict_app_execution',
    title: restrict
      ? 'Restrict app execution (Defender for Endpoint)'
      : 'Remove app execution restriction (Defender for Endpoint)',
    description: restrict
      ? 'Lets only Microsoft-signed binaries run on the machine (POST /api/machines/{id}/restrictCodeExecution), then follows the machine action to its end.'
      : 'Lets any application run again (POST /api/machines/{id}/unrestrictCodeExecution), then follows the machine action to its end.',
    inputSchema: MachineInput,
    requiredRoles: [role('Machine.RestrictExecution')],
    inverse: restrict ? 'defender.unrestrict_app_execution' : 'defender.restrict_app_execution',
    type: restrict ? 'RestrictCodeExecution' : 'UnrestrictCodeExecution',
    segment: restrict ? 'restrictCodeExecution' : 'unrestrictCodeExecution',
    api: restrict ? 'restrict' : 'unrestrict',
    defaultComment: restrict ? 'App execution restricted by Riposte' : 'App execution restriction removed by Riposte',
    inverseInput: (_input, output) => ({
      machine: output.machineId,
      comment: `${restrict ? 'Restriction removed' : 'Restricted again'} by Riposte (revert)`,
    }),
  });
}
export const restrictAppExecution = restriction(true);
export const unrestrictAppExecution = restriction(false);

export const collectInvestigationPackage = machineAction<MachineInput>({
  id: 'defender.collect_investigation_package',
  title: 'Collect an investigation package (Defender for Endpoint)',
  description:
    "Collects forensic data from the machine (POST /api/machines/{id}/collectInvestigationPackage) and follows the machine action to its end; the package is then in the portal's action center (its download link is short-lived and never stored here).",
  inputSchema: MachineInput,
  requiredRoles: [role('Machine.CollectForensics')],
  inverse: null,
  type: 'CollectInvestigationPackage',
  segment: 'collectInvestigationPackage',
  api: 'collect',
  defaultComment: 'Investigation package collected by Riposte',
});

export const stopAndQuarantineFile = machineAction<QuarantineInput>({
  id: 'defender.stop_and_quarantine_file',
  title: 'Stop and quarantine a file (Defender for Endpoint)',
  description:
    'Stops every process of the file on the machine and quarantines it (POST /api/machines/{id}/StopAndQuarantineFile with its SHA-1), then follows the machine action to its end. Restoring a file is done in the portal.',
  inputSchema: QuarantineInput,
  requiredRoles: [role('Machine.StopAndQuarantine')],
  inverse: null,
  type: 'StopAndQuarantineFile',
  segment: 'StopAndQuarantineFile',
  api: 'quarantine',
  defaultComment: 'File stopped and quarantined by Riposte',
  params: (input) => ({ Sha1: input.sha1.toLowerCase() }),
});
