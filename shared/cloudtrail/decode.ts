import { gunzipSync } from 'node:zlib';
import { InputParseError } from '../errors.js';

/** One JSON value decoded from an input, with where it stood (`line 3` for NDJSON, '' for a whole document). */
export interface DecodedValue {
  value: unknown;
  location: string;
}

export interface DecodeResult {
  values: DecodedValue[];
  /** Lines of an NDJSON input that were not JSON; the other lines are still decoded. */
  errors: InputParseError[];
}

/** Refuse to inflate past this: a small hostile .gz must not take the machine's memory. */
export const MAX_INFLATED_BYTES = 1024 * 1024 * 1024;

const isGzip = (bytes: Uint8Array): boolean => bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;

export function gunzipInput(bytes: Uint8Array): Buffer {
  try {
    return gunzipSync(bytes, { maxOutputLength: MAX_INFLATED_BYTES });
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new InputParseError(`invalid gzip data (${reason})`, { cause });
  }
}

/**
 * Decodes the bytes of one input: gzip (detected by its magic number, whatever the file is
 * called) of, or plain, a JSON document (a record, an event, a log file or an array of them) or
 * NDJSON. An empty input decodes to no values.
 */
export function decodeInput(bytes: Uint8Array): DecodeResult {
  const raw = isGzip(bytes) ? gunzipInput(bytes) : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let text = raw.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') return { values: [], errors: [] };

  let documentError: unknown;
  try {
    return { values: [{ value: JSON.parse(text), location: '' }], errors: [] };
  } catch (cause) {
    documentError = cause;
  }

  // Not one JSON document: NDJSON when its first non-blank line is a JSON value by itself.
  const lines = text.split(/\r?\n/);
  const first = lines.findIndex((line) => line.trim() !== '');
  if (!parsesAlone(lines[first] ?? '')) {
    const reason = documentError instanceof Error ? documentError.message : String(documentError);
    throw new InputParseError(`not JSON or NDJSON (${reason})`, { cause: documentError });
  }
  const values: DecodedValue[] = [];
  const errors: InputParseError[] = [];
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    try {
      values.push({ value: JSON.parse(line), location: `line ${index + 1}` });
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message : String(cause);
      errors.push(new InputParseError(`line ${index + 1}: not JSON (${reason})`, { cause }));
    }
  });
  return { values, errors };
}

function parsesAlone(line: string): boolean {
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
}
