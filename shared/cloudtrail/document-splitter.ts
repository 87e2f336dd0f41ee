/**
 * Splits a byte stream into JSON documents without parsing them: one JSON value, NDJSON, a JSON
 * array, or documents run together with no separator (`zcat a.json.gz b.json.gz`: CloudTrail log
 * files end without a newline). Works on bytes: the structural characters `{ } [ ] "` and `\` are
 * ASCII and never occur inside a multi-byte UTF-8 sequence, so no decoding is needed to split.
 *
 * Pure and synchronous (chunks in, documents out): the stream reader feeds it, and tests drive it
 * with any chunking. Memory is bounded by `maxDocumentBytes`: one document is held at a time.
 */

export type SplitEvent =
  /** One top-level value's bytes; `line` is the line it starts on (1-based). */
  | { kind: 'document'; bytes: Uint8Array; line: number }
  /** A document that could not be delimited; `fatal`: the rest of the input cannot be read. */
  | { kind: 'error'; line: number; message: string; fatal: boolean };

const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/** How many unterminated documents are re-read line by line before giving up on an input. */
const MAX_RESYNCS = 20;

/**
 * Held while it is split, and copied once to be read: 32 MiB, so that memory stays under 200 MB (a
 * 56 MB document took 339 MB at 64 MiB). CloudTrail's log files are far smaller (a file every five
 * minutes per region); larger inputs are NDJSON or many documents, which stream.
 */
export const DEFAULT_MAX_DOCUMENT_BYTES = 32 * 1024 * 1024;

const isSpace = (c: number) => c === SPACE || c === LF || c === CR || c === TAB;

export class DocumentSplitter {
  private parts: Uint8Array[] = [];
  private heldBytes = 0;
  private started = false;
  private depth = 0;
  private inString = false;
  private escape = false;
  /** A bare scalar at the top level (`123`, `true`, junk): it ends at white space or a new value. */
  private inToken = false;
  private line = 1;
  private docLine = 1;
  private resyncs = 0;
  private stopped = false;

  constructor(private readonly maxDocumentBytes = DEFAULT_MAX_DOCUMENT_BYTES) {}

  /** The line the splitter has reached (for messages about bytes it is given next). */
  get currentLine(): number {
    return this.line;
  }

  push(chunk: Uint8Array): SplitEvent[] {
    const out: SplitEvent[] = [];
    if (this.stopped) return out;
    let docStart = this.started ? 0 : -1;
    const length = chunk.length;
    for (let i = 0; i < length; i++) {
      const c = chunk[i]!;
      if (this.inString) {
        if (this.escape) this.escape = false;
        else if (c === BACKSLASH) this.escape = true;
        else if (c === QUOTE) {
          this.inString = false;
          if (this.depth === 0) {
            this.emit(out, chunk, docStart, i + 1);
            docStart = -1;
          }
        } else if (c === LF) this.line++;
        continue;
      }
      if (c === LF) this.line++;
      if (!this.started) {
        if (isSpace(c)) continue;
        docStart = i;
        this.begin(c);
        continue;
      }
      if (this.inToken) {
        if (isSpace(c)) {
          this.emit(out, chunk, docStart, i);
          docStart = -1;
        } else if (c === OPEN_BRACE || c === OPEN_BRACKET || c === QUOTE) {
          this.emit(out, chunk, docStart, i);
          docStart = i;
          this.begin(c);
        }
        continue;
      }
      if (c === QUOTE) this.inString = true;
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) this.depth++;
      else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        if (--this.depth === 0) {
          this.emit(out, chunk, docStart, i + 1);
          docStart = -1;
        }
      }
    }
    if (this.started && docStart >= 0) {
      const rest = chunk.subarray(docStart);
      // The chunk is the caller's: keep a copy only of the unfinished document's bytes.
      this.parts.push(Uint8Array.prototype.slice.call(rest));
      this.heldBytes += rest.length;
      if (this.heldBytes > this.maxDocumentBytes) {
        out.push({
          kind: 'error',
          line: this.docLine,
          message: `a JSON document larger than ${Math.round(this.maxDocumentBytes / 1024 / 1024)} MiB (no CloudTrail record or log file is that large); stopped reading`,
          fatal: true,
        });
        this.stop();
      }
    }
    return out;
  }

  /** The end of the input: a document still open is reported, then the rest is read again line by line. */
  end(): SplitEvent[] {
    const out: SplitEvent[] = [];
    if (this.stopped || !this.started) return out;
    const held = this.take();
    if (this.inToken) {
      out.push({ kind: 'document', bytes: held, line: this.docLine });
      this.reset();
      return out;
    }
    const line = this.docLine;
    out.push({ kind: 'error', line, message: 'not JSON (the document is not closed by the end of the input)', fatal: false });
    this.reset();
    // NDJSON with one broken line must not hide the lines after it: read them again.
    const newline = held.indexOf(LF);
    if (newline >= 0 && this.resyncs++ < MAX_RESYNCS) {
      this.line = line + 1;
      out.push(...this.push(held.subarray(newline + 1)), ...this.end());
    }
    return out;
  }

  private begin(c: number) {
    this.started = true;
    this.docLine = this.line;
    this.depth = 0;
    this.inToken = false;
    if (c === OPEN_BRACE || c === OPEN_BRACKET) this.depth = 1;
    else if (c === QUOTE) this.inString = true;
    else this.inToken = true;
  }

  private emit(out: SplitEvent[], chunk: Uint8Array, start: number, end: number) {
    const piece = chunk.subarray(start, end);
    let bytes = piece;
    if (this.parts.length > 0) {
      this.parts.push(piece);
      this.heldBytes += piece.length;
      bytes = this.take();
    }
    out.push({ kind: 'document', bytes, line: this.docLine });
    this.reset();
  }

  private take(): Uint8Array {
    const parts = this.parts;
    const total = this.heldBytes;
    this.parts = [];
    this.heldBytes = 0;
    if (parts.length === 1) return parts[0]!;
    const joined = new Uint8Array(total);
    let at = 0;
    for (const part of parts) {
      joined.set(part, at);
      at += part.length;
    }
    return joined;
  }

  private reset() {
    this.started = false;
    this.depth = 0;
    this.inString = false;
    this.escape = false;
    this.inToken = false;
  }

  private stop() {
    this.parts = [];
    this.heldBytes = 0;
    this.reset();
    this.stopped = true;
  }
}
