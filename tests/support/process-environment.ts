/**
 * Sets process variables (a variable given as undefined is removed) and returns what puts back the
 * ones it changed (call it from `afterAll`, or after the call that needed them). The `aws` test
 * files share a worker's process (vitest `isolate: false`): a file that points AWS_ENDPOINT_URL at
 * its fault proxy must not leave the next file talking to a closed port.
 */
export function setProcessEnvironment(variables: NodeJS.ProcessEnv): () => void {
  const before = new Map<string, string | undefined>();
  for (const [name, value] of Object.entries(variables)) {
    if (process.env[name] === value) continue;
    before.set(name, process.env[name]);
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  return () => {
    for (const [name, value] of before) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}
