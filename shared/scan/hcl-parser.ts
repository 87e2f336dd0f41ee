import type { HclParser } from './terraform-hcl.js';

/**
 * The HCL parser: @cdktn/hcl2json, HashiCorp's own `hcl/v2` parser compiled to WebAssembly (the
 * maintained continuation of @cdktf/hcl2json). Loaded on first use: a scan with no Terraform in it
 * does not pay for starting the WASM module (~0.2 s).
 */
let loaded: Promise<HclParser> | null = null;

export const parseHcl: HclParser = async (file, text) => {
  loaded ??= import('@cdktn/hcl2json').then((module) => {
    const parse = (module as { parse?: HclParser; default?: { parse: HclParser } }).parse ?? module.default!.parse;
    return parse;
  });
  return (await loaded)(file, text);
};
