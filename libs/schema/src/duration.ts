const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** The one duration form of playbooks, settings and guardrail budgets: a whole number and a unit. */
export const DURATION_PATTERN = '^[0-9]+(ms|s|m|h|d)$';

/** `30s`, `5m`, `4h` → milliseconds. Schemas check the form first (DURATION_PATTERN); anything else throws. */
export function parseDuration(value: string): number {
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(value);
  if (!match) throw new Error(`Not a duration: ${value}`);
  return Number(match[1]) * (UNITS[match[2] as string] as number);
}
