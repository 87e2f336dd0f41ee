/** The formats `scan` writes (a module of its own: the declarations check `--format` without loading the scanner). */
export const SCAN_OUTPUT_FORMATS = ['json', 'table', 'sarif'] as const;
export type ScanOutputFormat = (typeof SCAN_OUTPUT_FORMATS)[number];
