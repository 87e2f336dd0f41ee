// `NODE_OPTIONS=--import=<this file>`: every module the process loads is appended, one URL a line,
// to the file named by LOADED_MODULES_FILE (tests/cli/audit.unit.test.ts: an offline audit of a
// folder must not load the AWS SDK).
import { register } from 'node:module';

register('./loaded-modules-hooks.mjs', import.meta.url);
