// The SDK's notice that Node 20 support ends (2027) is for operators of long-lived services: a CLI
// run on a workstation prints it on every AWS call, nine lines each time. The Lambda runs nodejs22.x.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// The commands that read files through the parse pool start its workers first, so that they boot
// while the main thread loads the CLI's modules (evaluate reading stdin alone, or asking for help, starts none).
if (readsThroughPool(process.argv.slice(2))) (await import('../shared/cloudtrail/parse-pool.js')).prestartParsePool();

const [{ run }, { errorText }] = await Promise.all([import('./main.js'), import('../shared/model/error-text.js')]);

// `isolation-guard evaluate ... | head`: a reader that goes away is not an error of ours.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

// The bundled CLI's entry point (dist/cli.mjs): exit with the command's code once output is flushed.
run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // A fault of ours, not of the input: one line, the stack only when asked for.
    process.stderr.write(`isolation-guard: unexpected error (${errorText(error, { firstLine: true })}); please report it with the command you ran.\n`);
    if (process.env.ISOLATION_GUARD_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    else process.stderr.write('Set ISOLATION_GUARD_DEBUG=1 to print the stack trace.\n');
    process.exitCode = 70;
  },
);

/** `audit`, and `evaluate` given a file: the commands whose reading goes through the parse pool. */
function readsThroughPool(args: string[]): boolean {
  if (args.some((arg) => arg === '--help' || arg === '-h')) return false;
  if (args[0] === 'audit') return true;
  return args[0] === 'evaluate' && args.slice(1).some((arg) => !arg.startsWith('-'));
}
