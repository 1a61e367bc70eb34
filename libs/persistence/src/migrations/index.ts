import { InitialSchema1732240000000 } from './1732240000000-initial-schema.js';
import { EffectBudgetIndex1764547200000 } from './1764547200000-effect-budget-index.js';
import { DelegatedSignIn1764806400000 } from './1764806400000-delegated-sign-in.js';

/** In order. A new migration is appended here, never edited once released. */
export const MIGRATIONS = [InitialSchema1732240000000, EffectBudgetIndex1764547200000, DelegatedSignIn1764806400000];
