import { setFlagsFromString } from 'node:v8';
import { parseHclLite } from './hcl-lite.js';
import type { HclParser } from './terraform-hcl.js';
import { HclLiteUnsupported } from './errors.js';

/**
 * The HCL parser: first the structural reader of hcl-lite.ts (microseconds per file); whatever it
 * does not recognise, and every file with a syntax error, goes to @cdktn/hcl2json, HashiCorp's own
 * `hcl/v2` parser compiled to WebAssembly (the maintained continuation of @cdktf/hcl2json), whose
 * diagnostics name the line and column. The WebAssembly module is loaded once, on first need: a
 * scan whose Terraform the reader understands never starts it (~0.3 s of CPU and ~60 MB).
 */
let loaded: Promise<HclParser> | null = null;

export const parseHclWasm: HclParser = async (file, text) => {
  // V8's baseline WebAssembly compiler only: the optimising tier recompiles the 7 MB module in the
  // background (about 0.7 s of CPU) and the process waits for it before exiting, for a parser that
  // runs a few calls here (measured: output to exit 0.95 s -> 0.05 s; the first parse 220 -> 30 ms).
  if (loaded === null) setFlagsFromString('--liftoff-only');
  loaded ??= import('@cdktn/hcl2json').then((module) => {
    const parse = (module as { parse?: HclParser; default?: { parse: HclParser } }).parse ?? module.default!.parse;
    return parse;
  });
  return (await loaded)(file, text);
};

export const parseHcl: HclParser = async (file, text) => {
  try {
    return parseHclLite(text);
  } catch (error) {
    if (!(error instanceof HclLiteUnsupported)) throw error;
    return parseHclWasm(file, text);
  }
};
