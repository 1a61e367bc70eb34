import { InitialSchema1732240000000 } from './1732240000000-initial-schema.js';
import { EffectBudgetIndex1764547200000 } from './1764547200000-effect-budget-index.js';
import { PlaybookAutomation1764806400000 } from './1764806400000-playbook-automation.js';
import { WebhookSignaturesAndKeyExpiry1764806500000 } from './1764806500000-webhook-signatures-and-key-expiry.js';
import { NotificationChannels1764806600000 } from './1764806600000-notification-channels.js';
import { DelegatedSignIn1764806700000 } from './1764806700000-delegated-sign-in.js';
import { ParkedRuns1764892800000 } from './1764892800000-parked-runs.js';
import { ExportStream1764892900000 } from './1764892900000-export-stream.js';
import { RunLeaseIndex1764979200000 } from './1764979200000-run-lease-index.js';
import { StoredDefinition1764979300000 } from './1764979300000-stored-definition.js';
import { RunJournal1765010000000 } from './1765010000000-run-journal.js';
import { SettleAudit1765010100000 } from './1765010100000-settle-audit.js';
import { JournalSettles1765010200000 } from './1765010200000-journal-settles.js';

/** In order. A new migration is appended here, never edited once released. */
export const MIGRATIONS = [
  InitialSchema1732240000000,
  EffectBudgetIndex1764547200000,
  PlaybookAutomation1764806400000,
  WebhookSignaturesAndKeyExpiry1764806500000,
  NotificationChannels1764806600000,
  DelegatedSignIn1764806700000,
  ParkedRuns1764892800000,
  ExportStream1764892900000,
  RunLeaseIndex1764979200000,
  StoredDefinition1764979300000,
  RunJournal1765010000000,
  SettleAudit1765010100000,
  JournalSettles1765010200000,
];
