import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The IaC fixtures of `isolation-guard scan` (tests/fixtures/iac), one folder per format. */
const IAC_FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'iac');
export const iacFixturePath = (...parts: string[]): string => join(IAC_FIXTURES, ...parts);
/** As the CLI prints it when run from the repository root. */
export const iacRelative = (...parts: string[]): string => relative(join(IAC_FIXTURES, '..', '..', '..'), iacFixturePath(...parts));
