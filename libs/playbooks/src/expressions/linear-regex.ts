import { RE2JS } from 're2js';

/*
 * Every regular expression a playbook brings (in expressions and in trigger titles) runs on
 * RE2JS, a port of RE2: matching takes time linear in the input whatever the pattern, so no
 * pattern can stall the service (JavaScript's own engine backtracks, and `(a|a)*$` on 30
 * characters takes minutes). RE2 has no backreferences or lookaround; patterns using them are
 * refused when the playbook loads.
 */

export const MAX_REGEX_LENGTH = 200;

/** Compiles for RE2, or says why not (too long, invalid, or a feature RE2 does not have). */
export function compileLinear(source: string, flags = '', maxLength = MAX_REGEX_LENGTH): RE2JS {
  if (source.length > maxLength) throw new Error(`regular expressions are limited to ${maxLength} characters`);
  let options = 0;
  if (flags.includes('i')) options |= RE2JS.CASE_INSENSITIVE;
  if (flags.includes('m')) options |= RE2JS.MULTILINE;
  if (flags.includes('s')) options |= RE2JS.DOTALL;
  try {
    return RE2JS.compile(source, options);
  } catch (error) {
    throw new Error(
      `${(error as Error).message.replace(/^error parsing regexp: /, '')} (backreferences and lookaround are not supported)`,
      { cause: error },
    );
  }
}

/**
 * The regex engine JSONata is given: the part of RegExp it uses (`lastIndex`, `exec` with the
 * global flag's semantics, `match.index`), on RE2.
 */
export class LinearRegExp {
  lastIndex = 0;
  readonly source: string;
  readonly flags: string;
  private readonly re: RE2JS;

  constructor(pattern: RegExp | string, flags?: string) {
    this.source = typeof pattern === 'string' ? pattern : pattern.source;
    this.flags = flags ?? (typeof pattern === 'string' ? '' : pattern.flags);
    this.re = compileLinear(this.source, this.flags);
  }

  exec(input: string): RegExpExecArray | null {
    const matcher = this.re.matcher(input);
    if (this.lastIndex > input.length || !matcher.find(this.lastIndex)) {
      this.lastIndex = 0;
      return null;
    }
    const groups: (string | undefined)[] = [];
    for (let i = 0; i <= matcher.groupCount(); i++) groups.push(matcher.group(i) ?? undefined);
    const match = Object.assign(groups, { index: matcher.start(), input }) as unknown as RegExpExecArray;
    this.lastIndex = matcher.end();
    return match;
  }
}

/** Whole-string, case-insensitive matchers for trigger titles: a glob (`*` any run of characters, `?` one) or a regex. */
export function titleMatcher(match: { glob: string } | { regex: string }): { test(title: string): boolean } {
  const re =
    'glob' in match
      ? compileLinear(
          `^${match.glob
            .split('')
            .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
            .join('')}$`,
          'is',
          5 * match.glob.length + 2,
        )
      : compileLinear(match.regex, 'i');
  return { test: (title) => re.matcher(title).find() };
}
