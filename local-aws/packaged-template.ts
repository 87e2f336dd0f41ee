import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateRawSync } from 'node:zlib';

/**
 * Runs the real `serverless package` (osls + serverless-esbuild) once per process and per
 * stage/region, and hands out the packaged CloudFormation template, so tests (this file's users:
 * the packaging test, and end-to-end tests that take the EventBridge rule pattern from what would be
 * deployed) all look at the same artifact.
 *
 * The service is packaged from a snapshot of the project in a temporary directory (node_modules
 * linked, not copied): serverless-esbuild builds in `<service>/.esbuild` and deletes it when done,
 * and osls writes `<service>/.serverless`, so two packagings of the same directory at once (two test
 * workers, or someone running `npm run package`) would delete each other's files. The snapshot
 * also leaves the working tree untouched.
 */

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SERVERLESS_BIN = join(REPO_ROOT, 'node_modules', '.bin', 'serverless');
/** Top-level entries that packaging does not read, or that are build output of other runs. */
const NOT_SNAPSHOTTED = new Set(['node_modules', '.git', '.serverless', '.esbuild', 'dist', 'coverage', 'tests', 'local-aws', 'bench', '.moto']);

export interface CfnResource {
  Type: string;
  Properties?: Record<string, any>;
  DependsOn?: string | string[];
  [key: string]: unknown;
}

export interface CfnTemplate {
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, { Value: unknown; Description?: string; Export?: unknown }>;
  [key: string]: unknown;
}

export interface PackageOptions {
  stage?: string;
  region?: string;
  /** Kill `serverless package` after this long (ms). */
  timeoutMs?: number;
  /** Stage parameters (`--param="name=value"`), as a user deploying would give them. */
  params?: Record<string, string>;
}

export interface PackagedService {
  /** The `--package` directory: the templates and one zip per function. */
  dir: string;
  /** `cloudformation-template-update-stack.json`, the template that `deploy` would send. */
  template: CfnTemplate;
  stage: string;
  region: string;
  /** Wall time of `serverless package` itself. */
  durationMs: number;
  /** What `serverless package` printed. */
  output: string;
}

const cache = new Map<string, Promise<PackagedService>>();

/** Temporary directories made by this module. */
const temporary = new Set<string>();

function removeTemporary(path: string): void {
  // Unlink the node_modules link first, so removal can never reach the real node_modules.
  try {
    unlinkSync(join(path, 'service', 'node_modules'));
  } catch {
    // not a packaging directory, or already gone
  }
  rmSync(path, { recursive: true, force: true });
  temporary.delete(path);
}

/**
 * Removes what packaging left in the temporary directory and forgets the cached packages. Call it
 * from `afterAll` (vitest workers are not always left to exit on their own, so the exit hook below
 * cannot be relied on).
 */
export function disposePackagedServices(): void {
  cache.clear();
  for (const path of [...temporary]) removeTemporary(path);
}
process.once('exit', disposePackagedServices);

/**
 * Where a vitest run's shared services answer (local-aws/moto-pool.ts): with it, a packaging is
 * made once per run, whichever worker asks first, and handed to every file that asks for the same
 * stage, region and parameters (`serverless package` costs about 8 s of CPU).
 */
export const PACKAGE_POOL_VARIABLE = 'ISOLATION_GUARD_TEST_PACKAGE_POOL';

/** Packages the service (once per run, or once per process outside vitest, for given stage, region and parameters). */
export function packageService(opts: PackageOptions = {}): Promise<PackagedService> {
  const pool = process.env[PACKAGE_POOL_VARIABLE];
  return cachedPackage(opts, pool ? (request) => packageFromPool(pool, request) : packageRequest);
}

/** Packages the service in this process, once per stage, region and parameters (the run's shared services call this). */
export function packageHere(opts: PackageOptions = {}): Promise<PackagedService> {
  return cachedPackage(opts, packageRequest);
}

interface PackageRequest {
  stage: string;
  region: string;
  params: Record<string, string>;
  timeoutMs: number;
}

const packageRequest = (request: PackageRequest) => runPackage(request.stage, request.region, request.params, request.timeoutMs);

function cachedPackage(opts: PackageOptions, make: (request: PackageRequest) => Promise<PackagedService>): Promise<PackagedService> {
  const request = { stage: opts.stage ?? 'test', region: opts.region ?? 'eu-west-1', params: opts.params ?? {}, timeoutMs: opts.timeoutMs ?? 170_000 };
  const key = `${request.stage}\0${request.region}\0${JSON.stringify(request.params)}`;
  let packaged = cache.get(key);
  if (!packaged) {
    packaged = make(request);
    cache.set(key, packaged);
    // A failure is not cached: the next caller tries again and sees the error itself.
    packaged.catch(() => cache.delete(key));
  }
  return packaged;
}

/** The packagings under way or made in this process (the shared services wait for them before removing them). */
export const packagingsUnderWay = (): Array<Promise<PackagedService>> => [...cache.values()];

async function packageFromPool(pool: string, request: PackageRequest): Promise<PackagedService> {
  const response = await fetch(`${pool}/package`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request) });
  if (!response.ok) throw new Error(await response.text());
  return (await response.json()) as PackagedService;
}

/** Packages the service in a new temporary directory. */
async function runPackage(stage: string, region: string, params: Record<string, string>, timeoutMs: number): Promise<PackagedService> {
  const root = mkdtempSync(join(tmpdir(), 'isolation-guard-sls-'));
  temporary.add(root);
  const serviceDir = join(root, 'service');
  const dir = join(root, 'package');
  // serverless-esbuild zips from a scratch directory in os.tmpdir() that it fails to delete (it
  // removes it non-recursively and ignores the error): keep that inside `root` too.
  const scratch = join(root, 'tmp');
  mkdirSync(serviceDir);
  mkdirSync(scratch);
  for (const entry of readdirSync(REPO_ROOT)) {
    if (!NOT_SNAPSHOTTED.has(entry)) cpSync(join(REPO_ROOT, entry), join(serviceDir, entry), { recursive: true });
  }
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(serviceDir, 'node_modules'), 'dir');

  const started = performance.now();
  const { code, output } = await run(
    process.execPath,
    [SERVERLESS_BIN, 'package', '--stage', stage, '--region', region, '--package', dir, ...Object.entries(params).map(([name, value]) => `--param=${name}=${value}`)],
    { cwd: serviceDir, env: { ...packagingEnv(region), TMPDIR: scratch, TMP: scratch, TEMP: scratch }, timeoutMs },
  ).finally(() => {
    // The snapshot is only needed while packaging.
    unlinkSync(join(serviceDir, 'node_modules'));
    rmSync(serviceDir, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
  });
  const durationMs = Math.round(performance.now() - started);
  if (code !== 0) throw new Error(`serverless package exited with ${code} after ${durationMs} ms:\n${output}`);
  const template = JSON.parse(readFileSync(join(dir, 'cloudformation-template-update-stack.json'), 'utf8')) as CfnTemplate;
  return { dir, template, stage, region, durationMs, output };
}

/**
 * `package` needs neither AWS nor the network. Dummy credentials and no instance-metadata lookup
 * make sure nothing could wait on either. osls has no telemetry, update check or dashboard (they
 * were removed from the fork); the SLS_* switches only matter if upstream Serverless v3 is used.
 */
function packagingEnv(region: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    AWS_REGION: region,
    AWS_EC2_METADATA_DISABLED: 'true',
    SLS_TELEMETRY_DISABLED: '1',
    SLS_NOTIFICATIONS_MODE: 'off',
    CI: 'true',
  };
  for (const name of ['AWS_PROFILE', 'AWS_DEFAULT_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL']) delete env[name];
  return env;
}

interface RunResult {
  code: number | null;
  output: string;
  stdout: string;
}

function run(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number; stdin?: string },
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const all: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => {
      out.push(chunk);
      all.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => all.push(chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${args.join(' ')} did not finish within ${options.timeoutMs} ms:\n${Buffer.concat(all).toString('utf8')}`));
    }, options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output: Buffer.concat(all).toString('utf8'), stdout: Buffer.concat(out).toString('utf8') });
    });
    child.stdin.end(options.stdin ?? '');
  });
}

/** The resources of one CloudFormation type, by logical id. */
export function resourcesOfType(template: CfnTemplate, type: string): Array<[string, CfnResource]> {
  return Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
}

/** The service's event-pattern rules (schedules, such as the sweep's, are rules too but have no pattern). */
export function patternRules(template: CfnTemplate): Array<[string, CfnResource]> {
  return resourcesOfType(template, 'AWS::Events::Rule').filter(([, rule]) => rule.Properties?.EventPattern !== undefined);
}

/**
 * The EventPattern of the CloudTrail CreateModel rules: one on the default bus, one on the central
 * bus for member accounts' forwarded events; both must carry the same pattern.
 */
export function ruleEventPattern(template: CfnTemplate): Record<string, unknown> {
  const rules = patternRules(template);
  if (rules.length === 0) throw new Error('no AWS::Events::Rule with an EventPattern');
  const patterns = new Set(rules.map(([, rule]) => JSON.stringify(rule.Properties?.EventPattern)));
  if (patterns.size !== 1) throw new Error(`the CreateModel rules disagree on their pattern: ${[...patterns].join(' / ')}`);
  const pattern = rules[0]![1].Properties?.EventPattern;
  if (typeof pattern !== 'object' || pattern === null) throw new Error('the rule has no EventPattern object');
  return pattern as Record<string, unknown>;
}

/** The logical id and resource of the Lambda function that osls names `<service>-<stage>-<name>`. */
export function lambdaFunction(template: CfnTemplate, name: string): [string, CfnResource] {
  const found = resourcesOfType(template, 'AWS::Lambda::Function').filter(([, resource]) =>
    String(resource.Properties?.FunctionName ?? '').endsWith(`-${name}`),
  );
  if (found.length !== 1) throw new Error(`expected one Lambda function named *-${name}, found ${found.length}`);
  return found[0]!;
}

/** Path of a function's zip in the package directory (`package.individually: true`). */
export const functionArtifact = (dir: string, functionName: string): string => join(dir, `${functionName}.zip`);

/**
 * The entries of a zip file (stored or deflated, no zip64: what serverless-esbuild writes), read
 * with node:zlib so the tests need neither the `unzip` command nor a zip package.
 */
export function readZip(path: string): Map<string, Buffer> {
  const zip = readFileSync(path);
  let end = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i -= 1) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      end = i;
      break;
    }
  }
  if (end < 0) throw new Error(`${path}: not a zip file (no end of central directory)`);
  const count = zip.readUInt16LE(end + 10);
  let offset = zip.readUInt32LE(end + 16);
  const entries = new Map<string, Buffer>();
  for (let n = 0; n < count; n += 1) {
    if (zip.readUInt32LE(offset) !== 0x02014b50) throw new Error(`${path}: bad central directory entry ${n}`);
    const method = zip.readUInt16LE(offset + 10);
    const compressedSize = zip.readUInt32LE(offset + 20);
    const size = zip.readUInt32LE(offset + 24);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    const localOffset = zip.readUInt32LE(offset + 42);
    const name = zip.toString('utf8', offset + 46, offset + 46 + nameLength);
    offset += 46 + nameLength + extraLength + commentLength;
    if (name.endsWith('/')) continue;
    if (zip.readUInt32LE(localOffset) !== 0x04034b50) throw new Error(`${path}: bad local header for ${name}`);
    const dataStart = localOffset + 30 + zip.readUInt16LE(localOffset + 26) + zip.readUInt16LE(localOffset + 28);
    const raw = zip.subarray(dataStart, dataStart + compressedSize);
    const data = method === 0 ? Buffer.from(raw) : method === 8 ? inflateRawSync(raw) : undefined;
    if (!data) throw new Error(`${path}: ${name} uses unsupported compression method ${method}`);
    if (data.length !== size) throw new Error(`${path}: ${name} inflated to ${data.length} bytes, expected ${size}`);
    entries.set(name, data);
  }
  return entries;
}

/** Extracts a zip into a new temporary directory (outside any node_modules tree) and returns it. */
export function extractZip(path: string): string {
  const target = mkdtempSync(join(tmpdir(), 'isolation-guard-zip-'));
  temporary.add(target);
  for (const [name, data] of readZip(path)) {
    const file = join(target, name);
    if (!file.startsWith(target + '/')) throw new Error(`${path}: entry ${name} escapes the target directory`);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, data);
  }
  return target;
}

export interface InvokePackagedOptions {
  /** Extra environment for the function (the template's own variables are not applied). */
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/**
 * Invokes a packaged function the way the Lambda Node.js runtime does: extracts its zip, imports
 * the handler module (`functions/enforce.handler` → `functions/enforce.{mjs,js,cjs}`) in a plain
 * `node` process, calls the export with the event and a Lambda-like context, and returns what the
 * handler resolved to. Proves the bundle loads with no node_modules around it.
 */
export async function invokePackagedHandler(
  packaged: Pick<PackagedService, 'dir' | 'template'>,
  functionName: string,
  event: unknown,
  options: InvokePackagedOptions = {},
): Promise<unknown> {
  const [, fn] = lambdaFunction(packaged.template, functionName);
  const handler = String(fn.Properties?.Handler);
  const dot = handler.lastIndexOf('.');
  const modulePath = handler.slice(0, dot);
  const exportName = handler.slice(dot + 1);
  const codeDir = extractZip(functionArtifact(packaged.dir, functionName));
  const file = ['.mjs', '.js', '.cjs'].map((ext) => modulePath + ext).find((candidate) => existsSync(join(codeDir, candidate)));
  if (!file) throw new Error(`no ${modulePath}.{mjs,js,cjs} in ${functionName}.zip`);

  const script = `
    import { readFileSync } from 'node:fs';
    import { pathToFileURL } from 'node:url';
    const mod = await import(pathToFileURL(${JSON.stringify(join(codeDir, file))}).href);
    const handler = mod[${JSON.stringify(exportName)}];
    if (typeof handler !== 'function') throw new Error('export ${exportName} is not a function');
    const deadline = Date.now() + ${Number(fn.Properties?.Timeout ?? 30) * 1000};
    const context = {
      functionName: ${JSON.stringify(String(fn.Properties?.FunctionName))},
      functionVersion: '$LATEST',
      invokedFunctionArn: 'arn:aws:lambda:eu-west-1:111122223333:function:' + ${JSON.stringify(String(fn.Properties?.FunctionName))},
      memoryLimitInMB: ${JSON.stringify(String(fn.Properties?.MemorySize ?? 128))},
      awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
      logGroupName: '/aws/lambda/' + ${JSON.stringify(String(fn.Properties?.FunctionName))},
      logStreamName: '2026/11/22/[$LATEST]0123456789abcdef',
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      done() {}, fail() {}, succeed() {},
    };
    const result = await handler(JSON.parse(readFileSync(0, 'utf8')), context);
    process.stdout.write('\\n@@RESULT@@' + JSON.stringify(result ?? null), () => process.exit(0));
  `;
  const { code, output, stdout } = await run(
    process.execPath,
    ['--enable-source-maps', '--input-type=module', '-e', script],
    { cwd: codeDir, env: { ...process.env, ...options.env }, timeoutMs: options.timeoutMs ?? 30_000, stdin: JSON.stringify(event) },
  );
  removeTemporary(codeDir);
  const marker = stdout.lastIndexOf('\n@@RESULT@@');
  if (code !== 0 || marker < 0) throw new Error(`${functionName} handler failed (exit ${code}):\n${output}`);
  return JSON.parse(stdout.slice(marker + '\n@@RESULT@@'.length));
}
