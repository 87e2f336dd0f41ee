import { IsolationGuardError } from '../shared/errors.js';

/** The errors of the CLI's own effects (the core's are in shared/errors.ts and shared/<area>/errors.ts). */

/** No browser to print with, or the browser failed to print: the report cannot be written (exit 2). */
export class PdfPrintError extends IsolationGuardError {}
