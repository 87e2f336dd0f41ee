import { HclLiteUnsupported } from './errors.js';
/**
 * A structural reader of HCL native syntax for what `scan` reads (blocks, their labels, attributes),
 * in the shape @cdktn/hcl2json gives: blocks as `{ type: { label: [body] } }`, literals as JSON
 * values, list and object literals as arrays and objects, every other expression as its source text
 * wrapped in `${...}`, heredocs as their text (`<<-` indentation removed). It exists for speed: the
 * WebAssembly parser costs ~0.3 s of CPU to start and ~3 ms per call, this costs microseconds per file.
 *
 * Checked equal to hcl2json's output on this repository's fixtures and on three public module
 * repositories (251 files; 3 with a computed object key, left to the parser). One known
 * difference, of no consequence here: hcl2json rewrites a conditional inside a template with
 * literal text (`"a-${c ? x : y}"`) into `%{if}` directives; this keeps the source. Either way the
 * value is a template, known only after apply.
 *
 * It is not a validator: anything it does not recognise (unterminated strings or heredocs,
 * unbalanced brackets, a token out of place) throws `HclLiteUnsupported`, and the caller then uses
 * HashiCorp's parser, whose diagnostics name the file, line and column. Pure.
 */

interface Token {
  kind: 'ident' | 'string' | 'heredoc' | 'number' | 'punct' | 'newline' | 'comment';
  start: number;
  end: number;
  /** Strings: the text between the quotes (escapes kept); heredocs: the content. */
  value: string;
}

function fail(what: string, at: number): never {
  throw new HclLiteUnsupported(`${what} at offset ${at}`);
}

/** The end of a quoted string starting at `start` (the opening quote), with template sequences and nested strings in them. */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\\') i += 2;
    else if (c === '"') return i + 1;
    else if (c === '\n') fail('newline in a string', i);
    else if ((c === '$' || c === '%') && text[i + 1] === '{') {
      if (text[i - 1] === c) {
        i += 2;
        continue;
      }
      i = templateEnd(text, i + 2);
    } else i++;
  }
  return fail('unterminated string', start);
}

/** The end of a `${ ... }` / `%{ ... }` sequence whose body starts at `start`. */
function templateEnd(text: string, start: number): number {
  let depth = 1;
  let i = start;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') i = stringEnd(text, i);
    else if (c === '{') {
      depth++;
      i++;
    } else if (c === '}') {
      if (--depth === 0) return i + 1;
      i++;
    } else i++;
  }
  return fail('unterminated template sequence', start);
}

const IDENT = /[A-Za-z_][\w-]*/y;
const NUMBER = /[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;
const HEREDOC = /<<(-?)([A-Za-z_][\w-]*)[ \t]*\r?\n/y;

/** A sticky pattern's match at `at`, or null. */
function matchAt(pattern: RegExp, text: string, at: number): RegExpExecArray | null {
  pattern.lastIndex = at;
  return pattern.exec(text);
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
    } else if (c === '\n') {
      tokens.push({ kind: 'newline', start: i, end: i + 1, value: '' });
      i++;
    } else if (c === '#' || (c === '/' && text[i + 1] === '/')) {
      const end = text.indexOf('\n', i);
      const stop = end < 0 ? text.length : end;
      tokens.push({ kind: 'comment', start: i, end: stop, value: '' });
      i = stop;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) fail('unterminated comment', i);
      tokens.push({ kind: 'comment', start: i, end: end + 2, value: '' });
      i = end + 2;
    } else if (c === '"') {
      const end = stringEnd(text, i);
      tokens.push({ kind: 'string', start: i, end, value: text.slice(i + 1, end - 1) });
      i = end;
    } else if (c === '<' && text[i + 1] === '<' && matchAt(HEREDOC, text, i) !== null) {
      const head = matchAt(HEREDOC, text, i)!;
      const bodyStart = i + head[0].length;
      const close = new RegExp(`^[ \\t]*${head[2]!}[ \\t]*\\r?$`, 'm');
      const rest = text.slice(bodyStart);
      const found = close.exec(rest);
      if (!found) fail('unterminated heredoc', i);
      let body = rest.slice(0, found.index);
      if (head[1] === '-') {
        const lines = body.split('\n');
        const indents = lines.filter((line) => line.trim() !== '').map((line) => /^[ \t]*/.exec(line)![0].length);
        const strip = indents.length > 0 ? Math.min(...indents) : 0;
        body = lines.map((line) => line.slice(Math.min(strip, /^[ \t]*/.exec(line)![0].length))).join('\n');
      }
      const end = bodyStart + found.index + found[0].length;
      tokens.push({ kind: 'heredoc', start: i, end, value: body });
      i = end;
    } else if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c === '_') {
      const match = matchAt(IDENT, text, i)!;
      tokens.push({ kind: 'ident', start: i, end: i + match[0].length, value: match[0] });
      i += match[0].length;
    } else if (c >= '0' && c <= '9') {
      const match = matchAt(NUMBER, text, i)!;
      tokens.push({ kind: 'number', start: i, end: i + match[0].length, value: match[0] });
      i += match[0].length;
    } else {
      const two = text.slice(i, i + 2);
      const length = ['==', '!=', '<=', '>=', '&&', '||', '=>', '..'].includes(two) ? (text.slice(i, i + 3) === '...' ? 3 : 2) : 1;
      tokens.push({ kind: 'punct', start: i, end: i + length, value: text.slice(i, i + length) });
      i += length;
    }
  }
  return tokens;
}

const OPEN: Record<string, string> = { '(': ')', '[': ']', '{': '}' };

class Reader {
  private at = 0;
  constructor(
    private readonly text: string,
    private readonly tokens: Token[],
  ) {}

  private peek(skipNewlines = false): Token | undefined {
    let i = this.at;
    while (i < this.tokens.length && (this.tokens[i]!.kind === 'comment' || (skipNewlines && this.tokens[i]!.kind === 'newline'))) i++;
    return this.tokens[i];
  }

  private next(skipNewlines = false): Token | undefined {
    while (this.at < this.tokens.length && (this.tokens[this.at]!.kind === 'comment' || (skipNewlines && this.tokens[this.at]!.kind === 'newline'))) this.at++;
    return this.tokens[this.at++];
  }

  /** A body: attributes and blocks until `}` (or the end of the file at the top). */
  body(top: boolean): Record<string, unknown> {
    const body: Record<string, unknown> = {};
    for (;;) {
      const token = this.next(true);
      if (token === undefined) {
        if (top) return body;
        fail('unterminated block', this.text.length);
      }
      if (token.kind === 'punct' && token.value === '}' && !top) return body;
      if (token.kind !== 'ident') fail(`unexpected ${token.kind} ${JSON.stringify(this.text.slice(token.start, token.end))}`, token.start);
      const after = this.peek();
      if (after?.kind === 'punct' && after.value === '=') {
        this.next();
        body[token.value] = this.expression(top ? ['newline'] : ['newline', '}']);
        continue;
      }
      const labels: string[] = [];
      for (;;) {
        const label = this.next();
        if (label?.kind === 'string' && !/\$\{|%\{/.test(label.value)) labels.push(decodeHclString(label.value));
        else if (label?.kind === 'ident') labels.push(label.value);
        else if (label?.kind === 'punct' && label.value === '{') break;
        else fail('unexpected token in a block header', label?.start ?? this.text.length);
      }
      const inner = this.body(false);
      let into: Record<string, unknown> = body;
      const keys = [token.value, ...labels];
      for (const key of keys.slice(0, -1)) {
        const existing = into[key];
        if (Array.isArray(existing)) fail('a block type also used as an attribute', token.start);
        into = (into[key] ??= {}) as Record<string, unknown>;
      }
      const last = keys.at(-1)!;
      const list = (into[last] ??= []) as unknown[];
      if (!Array.isArray(list)) fail('a block name used twice at different depths', token.start);
      list.push(inner);
    }
  }

  /** An expression up to a terminator at depth 0 (a newline in a body; `,`, newline or the closing bracket in a collection). */
  private expression(terminators: string[]): unknown {
    const first = this.peek();
    if (first === undefined || (first.kind === 'newline' && terminators.includes('newline'))) fail('missing expression', first?.start ?? this.text.length);
    const start = this.at;
    const stack: string[] = [];
    for (;;) {
      const token = this.tokens[this.at];
      if (token === undefined) {
        if (stack.length > 0) fail('unbalanced brackets', this.text.length);
        break;
      }
      if (stack.length === 0) {
        if (token.kind === 'newline' && terminators.includes('newline')) break;
        if (token.kind === 'punct' && terminators.includes(token.value)) break;
      }
      if (token.kind === 'punct' && token.value in OPEN) stack.push(OPEN[token.value]!);
      else if (token.kind === 'punct' && [')', ']', '}'].includes(token.value)) {
        if (stack.pop() !== token.value) fail('unbalanced brackets', token.start);
      }
      this.at++;
    }
    const slice = this.tokens.slice(start, this.at).filter((t) => t.kind !== 'comment');
    while (slice.length > 0 && slice.at(-1)!.kind === 'newline') slice.pop();
    if (slice.length === 0) fail('missing expression', this.tokens[start]?.start ?? 0);
    return this.value(slice);
  }

  /** The value of one expression's tokens. */
  private value(tokens: Token[]): unknown {
    const meaningful = tokens.filter((t) => t.kind !== 'newline');
    if (meaningful.length === 1) {
      const only = meaningful[0]!;
      if (only.kind === 'number') return Number(only.value);
      if (only.kind === 'ident' && (only.value === 'true' || only.value === 'false')) return only.value === 'true';
      if (only.kind === 'ident' && only.value === 'null') return null;
      if (only.kind === 'string') return /\$\{|%\{/.test(only.value) ? templateText(only.value) : decodeHclString(only.value);
      if (only.kind === 'heredoc') return only.value;
    }
    if (meaningful.length === 2 && meaningful[0]!.kind === 'punct' && meaningful[0]!.value === '-' && meaningful[1]!.kind === 'number') return -Number(meaningful[1]!.value);
    const head = meaningful[0]!;
    const tail = meaningful.at(-1)!;
    if (head.kind === 'punct' && tail.kind === 'punct' && ((head.value === '[' && tail.value === ']') || (head.value === '{' && tail.value === '}')) && this.closesAt(meaningful) && !(meaningful[1]?.kind === 'ident' && meaningful[1].value === 'for')) {
      return head.value === '[' ? this.list(tokens.slice(tokens.indexOf(head) + 1, tokens.lastIndexOf(tail))) : this.object(tokens.slice(tokens.indexOf(head) + 1, tokens.lastIndexOf(tail)));
    }
    const source = this.text.slice(meaningful[0]!.start, meaningful.at(-1)!.end);
    // hcl2json gives an expression as its source text, newlines and comments inside it included.
    return `\${${source.trim()}}`;
  }

  /** Whether the first bracket of `tokens` closes at its last token (so `[a] ++ [b]`-like shapes are not taken for one list). */
  private closesAt(tokens: Token[]): boolean {
    let depth = 0;
    for (const [index, token] of tokens.entries()) {
      if (token.kind !== 'punct') continue;
      if (token.value in OPEN) depth++;
      else if ([')', ']', '}'].includes(token.value) && --depth === 0) return index === tokens.length - 1;
    }
    return false;
  }

  private elements(tokens: Token[], separators: string[]): Token[][] {
    const items: Token[][] = [];
    let current: Token[] = [];
    let depth = 0;
    for (const token of tokens) {
      if (token.kind === 'comment') continue;
      if (token.kind === 'punct' && token.value in OPEN) depth++;
      else if (token.kind === 'punct' && [')', ']', '}'].includes(token.value)) depth--;
      const separates = depth === 0 && ((token.kind === 'punct' && separators.includes(token.value)) || (token.kind === 'newline' && separators.includes('newline')));
      if (separates) {
        if (current.some((t) => t.kind !== 'newline')) items.push(current);
        current = [];
      } else current.push(token);
    }
    if (current.some((t) => t.kind !== 'newline')) items.push(current);
    return items;
  }

  private list(tokens: Token[]): unknown[] {
    return this.elements(tokens, [',']).map((item) => this.value(item));
  }

  private object(tokens: Token[]): Record<string, unknown> {
    const object: Record<string, unknown> = {};
    for (const item of this.elements(tokens, [',', 'newline'])) {
      // The key and its `=` / `:` are the first two tokens; the value keeps its newlines (a nested object's separators).
      const at = item.findIndex((t) => t.kind !== 'newline');
      const key = item[at]!;
      const separator = item[at + 1];
      if (!separator || separator.kind !== 'punct' || (separator.value !== '=' && separator.value !== ':')) fail('unexpected token in an object', key.start);
      const value = item.slice(at + 2);
      if (!value.some((t) => t.kind !== 'newline')) fail('missing value in an object', key.start);
      if (key.kind === 'ident') object[key.value] = this.value(value);
      else if (key.kind === 'string' && !/\$\{|%\{/.test(key.value)) object[decodeHclString(key.value)] = this.value(value);
      else fail('an object key this reader does not evaluate', key.start);
    }
    return object;
  }
}

/** An HCL quoted string's escapes (`\n`, `\"`, `\\`, `\uXXXX`, `\UXXXXXXXX`) decoded, as the parser decodes a label. */
export function decodeHclString(raw: string): string {
  return raw.replace(/\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)/g, (_, escape: string) => {
    if (escape.length > 1) return String.fromCodePoint(parseInt(escape.slice(1), 16));
    return ({ n: '\n', r: '\r', t: '\t' } as Record<string, string>)[escape] ?? escape;
  });
}

/** A template string as hcl2json gives it: its source, with the escapes of its literal parts decoded. */
function templateText(raw: string): string {
  return raw.replace(/\\(["\\])/g, '$1');
}

/** The file's top-level body in hcl2json's shape; throws HclLiteUnsupported for anything it does not recognise. */
export function parseHclLite(text: string): Record<string, unknown> {
  return new Reader(text, tokenize(text)).body(true);
}
