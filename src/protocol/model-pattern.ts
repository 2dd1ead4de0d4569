// The models' `pattern` constraints are Java regular expressions: AWS's services check them with
// java.util.regex, against the whole value. This compiles one into the JavaScript RegExp that accepts
// exactly the same strings, or throws naming what it cannot translate, so a pattern we cannot read fails
// the generator and the server's start instead of quietly matching something else.
//
// Where the two dialects differ for the constructs translated here:
// - `\p{…}` is a Unicode property in Java; JavaScript needs the `u` flag to read it so (without it,
//   `\p{P}` is the letters p, {, P, }).
// - `\s` is [ \t\n\x0B\f\r] in Java, but also every Unicode space in JavaScript.
// - `.` excludes Java's line terminators (\n, \r, \u0085, \u2028, \u2029); JavaScript's `.` lacks \u0085.
// - Java lets `\` escape any character that is not a letter or digit (`\:`); the `u` flag refuses that.
// - `\uhhhh` takes exactly four hex digits in both (so `\u10000` is U+1000 then '0'); `\x{…}` is Java's
//   form for any code point, `\u{…}` JavaScript's.

/** Java's whitespace for `\s` (Pattern without UNICODE_CHARACTER_CLASS). */
const JAVA_SPACE = ' \\t\\n\\x0B\\f\\r';
/** What Java's `.` does not match (Pattern without DOTALL or UNIX_LINES). */
const JAVA_DOT = '[^\\n\\r\\u0085\\u2028\\u2029]';
/** Java's `$` without MULTILINE: the end, or before a line terminator that ends the input. */
const JAVA_END = '(?=(?:\\r\\n|[\\n\\r\\u0085\\u2028\\u2029])?$)';

/** Characters JavaScript (u flag) lets `\` escape: outside a class, and inside one (which adds `-`). */
const JS_SYNTAX = new Set('^$\\.*+?()[]{}|/');
const GENERAL_CATEGORIES = new Set([
  'L', 'Lu', 'Ll', 'Lt', 'Lm', 'Lo', 'M', 'Mn', 'Mc', 'Me', 'N', 'Nd', 'Nl', 'No',
  'P', 'Pc', 'Pd', 'Ps', 'Pe', 'Pi', 'Pf', 'Po', 'S', 'Sm', 'Sc', 'Sk', 'So',
  'Z', 'Zs', 'Zl', 'Zp', 'C', 'Cc', 'Cf', 'Co', 'Cn', 'Cs',
]);
const SIMPLE_ESCAPES: Record<string, string> = { t: '\\t', n: '\\n', r: '\\r', f: '\\f', a: '\\x07', e: '\\x1B' };

export class ModelPatternError extends Error {
  constructor(pattern: string, problem: string) {
    super(`model pattern ${JSON.stringify(pattern)} cannot be compiled: ${problem}`);
  }
}

const cache = new Map<string, RegExp>();

/** The RegExp that matches a whole value exactly when Java's `Pattern.matches(pattern, value)` does. */
export function compileModelPattern(pattern: string): RegExp {
  let compiled = cache.get(pattern);
  if (!compiled) {
    const source = translateJavaPattern(pattern);
    try {
      compiled = new RegExp(`^(?:${source})$`, 'u');
    } catch (error) {
      throw new ModelPatternError(pattern, (error as Error).message);
    }
    cache.set(pattern, compiled);
  }
  return compiled;
}

/** The JavaScript (u flag) source for a Java pattern; throws ModelPatternError for constructs it does not translate. */
export function translateJavaPattern(pattern: string): string {
  return new JavaPatternTranslator(pattern).translate();
}

class JavaPatternTranslator {
  private readonly pattern: string;
  private at = 0;
  private out = '';
  /** True right after a quantifier: Java's possessive form (`a*+`) has no JavaScript equivalent. */
  private quantified = false;

  constructor(pattern: string) {
    this.pattern = pattern;
  }

  private fail(problem: string): never {
    throw new ModelPatternError(this.pattern, `${problem} (at offset ${this.at})`);
  }

  translate(): string {
    const p = this.pattern;
    while (this.at < p.length) {
      const c = p[this.at]!;
      if (this.quantified && c === '+') this.fail('possessive quantifiers have no JavaScript equivalent');
      this.quantified = false;
      switch (c) {
        case '\\':
          this.out += this.escapeOutsideClass();
          break;
        case '[':
          this.out += this.characterClass();
          break;
        case '.':
          this.out += JAVA_DOT;
          this.at++;
          break;
        case '$':
          this.out += JAVA_END;
          this.at++;
          break;
        case '(':
          this.out += this.groupOpening();
          break;
        case '*':
        case '+':
        case '?':
          this.out += c;
          this.at++;
          if (p[this.at] === '?') this.out += p[this.at++]!;
          this.quantified = true;
          break;
        case '{':
          this.out += this.braceQuantifier();
          break;
        case ']':
        case '}':
          // Literal in Java outside a class; JavaScript with the u flag wants them escaped.
          this.out += `\\${c}`;
          this.at++;
          break;
        default:
          this.out += c;
          this.at++;
      }
    }
    return this.out;
  }

  private groupOpening(): string {
    const rest = this.pattern.slice(this.at);
    const known = ['(?:', '(?=', '(?!', '(?<=', '(?<!'].find((opening) => rest.startsWith(opening));
    if (known) {
      this.at += known.length;
      return known;
    }
    const named = /^\(\?<([a-zA-Z][a-zA-Z0-9]*)>/.exec(rest);
    if (named) {
      this.at += named[0].length;
      return named[0];
    }
    if (rest.startsWith('(?')) this.fail(`the group ${rest.slice(0, 3)}… (atomic groups and inline flags) is not translated`);
    this.at++;
    return '(';
  }

  private braceQuantifier(): string {
    const bounds = /^\{\d+(,\d*)?\}\??/.exec(this.pattern.slice(this.at));
    if (!bounds) this.fail("'{' must start a quantifier {n}, {n,} or {n,m}");
    this.at += bounds[0].length;
    this.quantified = true;
    return bounds[0];
  }

  /** `\…` outside a character class. */
  private escapeOutsideClass(): string {
    const c = this.pattern[this.at + 1];
    if (c === 's') {
      this.at += 2;
      return `[${JAVA_SPACE}]`;
    }
    if (c === 'S') {
      this.at += 2;
      return `[^${JAVA_SPACE}]`;
    }
    return this.sharedEscape(false);
  }

  /** The escapes that read the same in and out of a class; `\s` and `\S` are the caller's. */
  private sharedEscape(inClass: boolean): string {
    const p = this.pattern;
    const c = p[this.at + 1];
    if (c === undefined) this.fail('the pattern ends with a lone backslash');
    if (c === 'd' || c === 'D' || c === 'w' || c === 'W') {
      // ASCII in both: Java without UNICODE_CHARACTER_CLASS, JavaScript without the i flag.
      this.at += 2;
      return `\\${c}`;
    }
    if (c === 'p' || c === 'P') return this.unicodeProperty(c);
    if (c === 'u') {
      const hex = /^[0-9a-fA-F]{4}/.exec(p.slice(this.at + 2));
      if (!hex) this.fail('\\u needs four hex digits');
      this.at += 6;
      return `\\u${hex[0]}`;
    }
    if (c === 'x') {
      const braced = /^\{([0-9a-fA-F]{1,6})\}/.exec(p.slice(this.at + 2));
      if (braced) {
        this.at += 2 + braced[0].length;
        return `\\u{${braced[1]}}`;
      }
      const hex = /^[0-9a-fA-F]{2}/.exec(p.slice(this.at + 2));
      if (!hex) this.fail('\\x needs two hex digits or {…}');
      this.at += 4;
      return `\\x${hex[0]}`;
    }
    if (c === '0') {
      const octal = /^[0-3]?[0-7]{1,2}/.exec(p.slice(this.at + 2));
      if (!octal) this.fail('\\0 needs octal digits');
      this.at += 2 + octal[0].length;
      return `\\u{${Number.parseInt(octal[0], 8).toString(16)}}`;
    }
    if (c === 'c') {
      const letter = p[this.at + 2];
      if (!letter || !/[A-Za-z]/.test(letter)) this.fail('\\c is translated only before a letter');
      this.at += 3;
      return `\\c${letter}`;
    }
    if (SIMPLE_ESCAPES[c] !== undefined) {
      this.at += 2;
      return SIMPLE_ESCAPES[c];
    }
    if (/[A-Za-z0-9]/.test(c)) this.fail(`the escape \\${c} is not translated`);
    // Java: a backslash before any other character means that character itself.
    this.at += 2;
    return JS_SYNTAX.has(c) || (inClass && c === '-') ? `\\${c}` : c;
  }

  private unicodeProperty(kind: 'p' | 'P'): string {
    const p = this.pattern;
    const start = this.at;
    let name: string;
    if (p[this.at + 2] === '{') {
      const close = p.indexOf('}', this.at + 3);
      if (close === -1) this.fail(`\\${kind}{ is not closed`);
      name = p.slice(this.at + 3, close);
      this.at = close + 1;
    } else {
      name = p[this.at + 2] ?? '';
      this.at += 3;
    }
    const property = javaPropertyToJs(name);
    if (!property) {
      this.at = start;
      this.fail(`the property \\${kind}{${name}} is not translated`);
    }
    return `\\${kind}{${property}}`;
  }

  /** `[…]`, which Java may nest (`[a[b]]`) or intersect (`[a&&b]`); neither is translated. */
  private characterClass(): string {
    const p = this.pattern;
    this.at++;
    let negated = false;
    if (p[this.at] === '^') {
      negated = true;
      this.at++;
    }
    if (p[this.at] === ']') this.fail('a character class must not start with ]');
    let items = '';
    let nonSpace = false;
    for (;;) {
      const c = p[this.at];
      if (c === undefined) this.fail('the character class is not closed');
      if (c === ']') {
        this.at++;
        break;
      }
      if (c === '[') this.fail('nested character classes (unions) are not translated');
      if (c === '&' && p[this.at + 1] === '&') this.fail('character class intersections (&&) are not translated');
      if (c === '\\') {
        const next = p[this.at + 1];
        if (next === 's') {
          items += JAVA_SPACE;
          this.at += 2;
        } else if (next === 'S') {
          nonSpace = true;
          this.at += 2;
        } else {
          items += this.sharedEscape(true);
        }
        continue;
      }
      items += c;
      this.at++;
    }
    if (!nonSpace) return `[${negated ? '^' : ''}${items}]`;
    // `\S` inside a class: JavaScript's class cannot hold a negated set (without the v flag), so
    // [\Sab] becomes "not Java space, or a or b".
    if (negated) this.fail('\\S inside a negated character class is not translated');
    return items === '' ? `[^${JAVA_SPACE}]` : `(?:[^${JAVA_SPACE}]|[${items}])`;
  }
}

/**
 * Java's property names (`L`, `IsL`, `gc=L`, `IsLatin`, `sc=Latin`) as JavaScript's; undefined for the ones
 * not translated (POSIX classes such as `Alpha` and blocks such as `InGreek`, which Java reads differently).
 */
function javaPropertyToJs(name: string): string | undefined {
  const category = /^(?:Is|gc=|general_category=)?([A-Z][a-z]?)$/.exec(name)?.[1];
  if (category && GENERAL_CATEGORIES.has(category)) return category;
  const script = /^(?:Is|sc=|script=)([A-Z][A-Za-z_]+)$/.exec(name)?.[1];
  if (script && !GENERAL_CATEGORIES.has(script)) {
    try {
      new RegExp(`\\p{Script=${script}}`, 'u');
      return `Script=${script}`;
    } catch {
      return undefined;
    }
  }
  return undefined;
}
