import { afterAll } from 'vitest';
import { abandonInProcessCalls } from './cli.js';

/**
 * vitest setup file of every project (their files share a worker's process): after each file,
 * an in-process CLI call still under way (its test timed out) has its process variables put back
 * and is named as this file's failure, instead of leaking its environment into the next file or
 * making that file's calls look like overlapping ones.
 */
afterAll(() => {
  const abandoned = abandonInProcessCalls();
  if (abandoned.length > 0) throw new Error(`in-process CLI call(s) still running when the file ended (a test timed out?): ${abandoned.join('; ')}`);
});
