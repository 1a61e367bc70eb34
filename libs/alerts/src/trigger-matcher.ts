import {
  type AlertMatcher,
  type CompiledValue,
  resolveValue,
  type StringMatch,
  titleMatcher,
} from '@riposte/playbooks';
import type { NormalizedAlert } from './normalized-alert.js';

/** Titles are cut before matching; globs and regexes run in linear time (RE2). */
const MAX_TITLE = 1000;
const matchers = new Map<string, { test(title: string): boolean }>();

/** Does the alert meet every condition of a trigger's matcher? */
export async function alertMatches(
  alert: NormalizedAlert,
  matcher: AlertMatcher,
  when: CompiledValue | undefined,
): Promise<boolean> {
  const oneOf = (values: string[] | undefined, actual: string | null) =>
    !values || (actual !== null && values.some((v) => v.toLowerCase() === actual.toLowerCase()));
  if (!oneOf(matcher.severity, alert.severity)) return false;
  if (!oneOf(matcher.status, alert.status)) return false;
  if (!oneOf(matcher.serviceSource, alert.serviceSource)) return false;
  if (!oneOf(matcher.detectionSource, alert.detectionSource)) return false;
  if (!oneOf(matcher.category, alert.category)) return false;
  if (matcher.title !== undefined && !titleMatches(matcher.title, alert.title.slice(0, MAX_TITLE))) return false;
  if (matcher.evidence && !matcher.evidence.every((type) => alert.evidenceTypes.includes(type))) return false;
  if (when) {
    try {
      if (!(await resolveValue(when, { alert }))) return false;
    } catch {
      return false; // an expression that cannot be evaluated on this alert does not match it
    }
  }
  return true;
}

function titleMatches(match: StringMatch, title: string): boolean {
  if (typeof match === 'string') return match.toLowerCase() === title.toLowerCase();
  if (Array.isArray(match)) return match.some((m) => m.toLowerCase() === title.toLowerCase());
  const key = JSON.stringify(match);
  let matcher = matchers.get(key);
  if (!matcher) {
    matcher = titleMatcher(match);
    if (matchers.size > 1000) matchers.clear();
    matchers.set(key, matcher);
  }
  return matcher.test(title);
}

/** A trigger's run inputs, computed from the alert. */
export async function triggerInputs(
  inputs: Record<string, CompiledValue>,
  alert: NormalizedAlert,
): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(inputs)) {
    const resolved = await resolveValue(value, { alert });
    if (resolved !== undefined && resolved !== null) out[name] = resolved;
  }
  return out;
}
