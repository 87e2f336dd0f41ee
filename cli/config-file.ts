import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { ConfigurationError } from '../shared/errors.js';
import { errorText } from '../shared/model/error-text.js';

/** A config file: one JSON object keyed by setting name; each value is checked by shared/config.ts, naming the file and key. */
const ConfigFileSchema = z.record(z.string(), z.unknown());

/** Reads `--config FILE`: a JSON object whose keys are setting names (see shared/config.ts). */
export async function readConfigFile(path: string): Promise<{ path: string; values: Record<string, unknown> }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new ConfigurationError('--config', `cannot read ${path} (${(cause as NodeJS.ErrnoException).code ?? String(cause)})`, { cause });
  }
  let values: unknown;
  try {
    values = JSON.parse(text);
  } catch (cause) {
    throw new ConfigurationError('--config', `${path} is not JSON (${errorText(cause, { name: false })})`, { cause });
  }
  const parsed = ConfigFileSchema.safeParse(values);
  if (!parsed.success) throw new ConfigurationError('--config', `${path} must hold a JSON object of settings`, { cause: parsed.error });
  return { path, values: parsed.data };
}
