// Makes sure the local AWS (moto server, Python) is installed: checks, and installs the pinned
// version with pip when it is missing. Used by the test set-up and by `npm start`; runnable alone:
//   node local-aws/ensure-moto.mjs
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';

export const MOTO_REQUIREMENT = 'moto[server]==5.2.1';
const PYTHON = process.env.PYTHON ?? 'python3';
// The patches in local-aws/moto_launcher.py are written against moto 5.x internals.
const CHECK = 'import moto, moto.server, flask, werkzeug; v = moto.__version__; assert v.startswith("5."), v; print(v)';

function check() {
  const result = spawnSync(PYTHON, ['-c', CHECK], { encoding: 'utf8' });
  if (result.error) return { ok: false, why: `${PYTHON} could not be run (${result.error.code ?? result.error.message}); install Python 3` };
  if (result.status !== 0) return { ok: false, why: (result.stderr.trim().split('\n').at(-1) ?? 'import failed') };
  return { ok: true, version: result.stdout.trim() };
}

/** Returns moto's version; installs it first if needed; throws an Error saying what failed. */
export function ensureMoto({ log = (line) => process.stderr.write(`${line}\n`) } = {}) {
  const first = check();
  if (first.ok) return first.version;
  if (/could not be run/.test(first.why)) throw new Error(`moto is needed for the local AWS, but ${first.why}`);
  log(`moto server is not installed (${first.why}); installing ${MOTO_REQUIREMENT} with pip`);
  const pip = spawnSync(PYTHON, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', MOTO_REQUIREMENT], { encoding: 'utf8' });
  if (pip.error || pip.status !== 0) {
    const tail = `${pip.stderr ?? ''}${pip.error?.message ?? ''}`.trim().split('\n').slice(-5).join('\n');
    throw new Error(`could not install ${MOTO_REQUIREMENT} with '${PYTHON} -m pip' (exit ${pip.status}):\n${tail}`);
  }
  const second = check();
  if (!second.ok) throw new Error(`installed ${MOTO_REQUIREMENT}, but it still does not import: ${second.why}`);
  log(`installed moto ${second.version}`);
  return second.version;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    process.stdout.write(`moto ${ensureMoto()} is ready\n`);
  } catch (error) {
    process.stderr.write(`ensure-moto: ${error.message}\n`);
    process.exit(1);
  }
}
