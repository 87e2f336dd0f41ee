import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UsageError } from '../shared/errors.js';
import { PdfPrintError } from './errors.js';
import { REPORT_FORMATS, type ReportFormat } from '../shared/reports/inventory-report.js';
import { jsonEscaped, printableDocument } from '../shared/model/display-text.js';
import { writeOutFile, type CliIo } from './io.js';

/** The formats of `audit` and `sweep`: the report's own, and a PDF printed from its HTML page. */
export const CLI_REPORT_FORMATS = [...REPORT_FORMATS, 'pdf'] as const;
export type CliReportFormat = (typeof CLI_REPORT_FORMATS)[number];

const INSTALL_HINT =
  'install Chromium or Google Chrome (Debian/Ubuntu: sudo apt-get install chromium; macOS: brew install --cask chromium, or Google Chrome) or set CHROMIUM_PATH to its executable; or use --format html and print that page';

/** Executables tried on PATH, then the usual install places of Chrome, Chromium and Edge. */
const NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'chrome', 'microsoft-edge'];
const PLACES = [
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
  'C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe',
];

const executable = (path: string) => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/**
 * The browser that prints PDFs: `CHROMIUM_PATH` when set (and then only that one), else the first
 * Chromium, Chrome or Edge found on PATH or in its usual place. No browser is downloaded: the CLI
 * carries no browser dependency and uses the one the machine has.
 */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string {
  const given = env.CHROMIUM_PATH;
  if (given) {
    if (executable(given)) return given;
    throw new PdfPrintError(`--format pdf: CHROMIUM_PATH=${given} is not an executable; ${INSTALL_HINT}`);
  }
  const dirs = (env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const name of NAMES) for (const dir of dirs) if (executable(join(dir, name))) return join(dir, name);
  const found = PLACES.find(executable);
  if (found) return found;
  throw new PdfPrintError(`--format pdf needs a Chromium-based browser to print the report and none was found (looked for ${NAMES.join(', ')} on PATH); ${INSTALL_HINT}`);
}

/**
 * Prints a self-contained HTML page to a PDF file with headless Chromium (`--print-to-pdf`): the
 * page's print styles decide the layout (A4 landscape). The page is written to a private temporary
 * folder with its own browser profile, both removed afterwards.
 */
export async function htmlToPdf(html: string, outPath: string, options: { chromium: string; timeoutMs?: number }): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'isolation-guard-pdf-'));
  try {
    const page = join(work, 'report.html');
    const pdf = join(work, 'report.pdf');
    await writeFile(page, html);
    const args = [
      '--headless',
      '--disable-gpu',
      '--no-first-run',
      '--no-default-browser-check',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-extensions',
      '--disable-sync',
      // Chromium refuses to start as root with its sandbox; the page runs no script (its CSP says so).
      ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
      `--user-data-dir=${join(work, 'profile')}`,
      '--no-pdf-header-footer',
      `--print-to-pdf=${pdf}`,
      pathToFileURL(page).href,
    ];
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((done, fail) => {
      const child = spawn(options.chromium, args, { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      child.stderr.on('data', (chunk: Buffer) => (err = (err + chunk.toString('utf8')).slice(-4000)));
      const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
      child.on('error', (error) => {
        clearTimeout(timer);
        fail(new PdfPrintError(`--format pdf: could not start ${options.chromium} (${error.message}); ${INSTALL_HINT}`, { cause: error }));
      });
      child.on('close', (exit) => {
        clearTimeout(timer);
        done({ code: exit, stderr: err });
      });
    });
    const bytes = await readFile(pdf).catch(() => null);
    if (code !== 0 || bytes === null || bytes.subarray(0, 5).toString('latin1') !== '%PDF-') {
      const last = stderr.trim().split('\n').filter((line) => !/dbus|Fontconfig/i.test(line)).slice(-2).join(' / ');
      throw new PdfPrintError(`--format pdf: ${options.chromium} did not print the report (exit ${code ?? 'killed'})${last ? `: ${last}` : ''}`);
    }
    await writeOutFile(resolve(outPath), bytes);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Where and how a command writes its report, checked before any work is done. */
export interface ReportOutput {
  format: CliReportFormat;
  out: string | null;
  /** The browser that prints a PDF (format pdf only). */
  chromium: string | null;
}

/**
 * Checks the report's destination up front, so a long sweep or audit does not end in "cannot
 * write": a PDF needs `--out` (it is not text for a terminal) and a browser to print it.
 */
export function reportOutput(format: CliReportFormat, out: string | null, env: NodeJS.ProcessEnv): ReportOutput {
  if (format !== 'pdf') return { format, out, chromium: null };
  if (!out) throw new UsageError('--format pdf writes a file: give --out FILE.pdf');
  return { format, out, chromium: findChromium(env) };
}

/** Renders the report in the format asked (a PDF from the HTML page) and writes it to --out or stdout. */
export async function writeReport(output: ReportOutput, render: (format: ReportFormat) => string, io: CliIo): Promise<void> {
  if (output.format === 'pdf') return htmlToPdf(render('html'), output.out!, { chromium: output.chromium! });
  // The one sanitiser for text shown to people: JSON keeps its exact value (escapes, never raw
  // controls or bidi marks on a terminal); Markdown, CSV and HTML show them as \uXXXX.
  const rendered = render(output.format);
  const text = output.format === 'json' ? jsonEscaped(rendered) : printableDocument(rendered);
  if (output.out) await writeOutFile(output.out, text);
  else io.stdout(text.trimEnd());
}
