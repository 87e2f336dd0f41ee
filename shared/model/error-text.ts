/**
 * An error as text for a report, an alert, a log or the terminal: the one formatter every caller
 * uses (the CLI adds its AWS hints on top: cli/aws-errors.ts). Never a stack trace.
 */
export interface ErrorTextOptions {
  /**
   * Lead with the error's name, `Name: message` (the default); the name alone when the message is
   * empty or is the name. `false`: the message alone, where the text around it already says what failed.
   */
  name?: boolean;
  /** Only the message's first line (a parser's message with a code frame, a multi-line SDK message). */
  firstLine?: boolean;
  /**
   * A file that could not be read: a system error as its code alone, `cannot read (ENOENT)` (the
   * path is named beside it; the message would repeat it); any other error as its message.
   */
  read?: boolean;
}

/** The name and message of an Error, or of a thrown object that has them (an SDK-shaped error); null for anything else. */
function nameAndMessage(error: unknown): { name: string; message: string; code: unknown } | null {
  if (typeof error !== 'object' || error === null) return null;
  const { name, message, code } = error as { name?: unknown; message?: unknown; code?: unknown };
  if (!(error instanceof Error) && typeof name !== 'string' && typeof message !== 'string') return null;
  return { name: typeof name === 'string' && name !== '' ? name : 'Error', message: typeof message === 'string' ? message : '', code };
}

/** An error as one line of text (see ErrorTextOptions); a thrown non-Error as it is. */
export function errorText(error: unknown, options: ErrorTextOptions = {}): string {
  const parts = nameAndMessage(error);
  if (parts === null) return String(error);
  if (options.read && typeof parts.code === 'string' && /^E[A-Z]+$/.test(parts.code)) return `cannot read (${parts.code})`;
  const message = options.firstLine ? parts.message.split('\n')[0]!.trim() : parts.message;
  if (options.name === false || options.read) return message;
  return message !== '' && message !== parts.name ? `${parts.name}: ${message}` : parts.name;
}

/** The message alone: `errorText(error, { name: false })`. */
export const errorMessage = (error: unknown): string => errorText(error, { name: false });
