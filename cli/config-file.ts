import { readFile } from 'node:fs/promises';
import { ConfigurationError } from '../shared/errors.js';

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
    throw new ConfigurationError('--config', `${path} is not JSON (${(cause as Error).message})`, { cause });
  }
  if (typeof values !== 'object' || values === null || Array.isArray(values)) {
    throw new ConfigurationError('--config', `${path} must hold a JSON object of settings`);
  }
  return { path, values: values as Record<string, unknown> };
}
