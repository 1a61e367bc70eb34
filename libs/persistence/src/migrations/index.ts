import { InitialSchema1732240000000 } from './1732240000000-initial-schema.js';
import { EffectBudgetIndex1764547200000 } from './1764547200000-effect-budget-index.js';
import { ExportStream1764892800000 } from './1764892800000-export-stream.js';

/** In order. A new migration is appended here, never edited once released. */
export const MIGRATIONS = [InitialSchema1732240000000, EffectBudgetIndex1764547200000, ExportStream1764892800000];
