/**
 * `npm run bench`: every figure beside a baseline measured in the same run on the same machine (no
 * absolute timings are asserted anywhere; docs/performance.md has the targets and the last figures).
 * `BENCH_ONLY=bundles,reading npm run bench` runs only some parts.
 *
 * 1. handler: the enforce handler's time per event against moto, split into our own code and the
 *    AWS calls (timed by an SDK middleware); baseline: one bare DescribeModel call.
 * 2-3. bundles: for each function (enforce, sweep, history) the packaged zip and its cold
 *    initialisation (import in a fresh node) against a fresh `node -e ''`, and the same bundle
 *    built to take the SDK from the Lambda runtime instead, for the decision in docs/performance.md.
 * 4. sweep: ListModels, DescribeModel and ListTags of many models against a naive sequential loop.
 * 5. reading: audit and evaluate over three archives (a quiet account, CreateModel in one file in
 *    three, CreateModel in every file) against zcat and zcat | jq; BENCH_READING_SHAPES=dense picks some.
 * 5b. bombs: hostile inputs (9 GB of `[]` lines in 9 MB of gzip, a 1M-record document, 2M gzip
 *    members) read by evaluate: CPU time and peak memory.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

import { DescribeModelCommand, ListModelsCommand, ListTagsCommand, type SageMakerClient } from '@aws-sdk/client-sagemaker';
import { enforcementDeps, enforcementSettings } from '../shared/enforcement/deps.js';
import { sweepModels } from '../shared/sweep/sweep.js';
import { auditBench, type ReadingBench, type Timed } from './audit.js';
import { describeShape, type ArchiveShape } from './audit-archive.js';
import { printBombs } from './bombs.js';
import { fanOutBench, printFanOut } from './fanout.js';
import { printScanBench, scanBench } from './scan.js';
import { createAwsClients } from '../shared/aws/clients.js';
import { loadConfig } from '../shared/config.js';
import { createEnforceHandler } from '../shared/lambda/enforce-handler.js';
import { createModelEvent } from '../local-aws/cloudtrail-events.js';
import { lambdaContext } from '../local-aws/lambda-context.js';
import { createLocalStack, createModel, stackEnvironment } from '../local-aws/local-stack.js';
import { awsClientConfig, MOTO_ACCOUNT, motoEnvironment, startMoto } from '../local-aws/moto.js';
import { disposePackagedServices, extractZip, functionArtifact, packageService, readZip } from '../local-aws/packaged-template.js';

const REGION = 'eu-west-1';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 60);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const ms = (n: number) => `${n.toFixed(2)} ms`;

async function handlerTimes() {
  const moto = await startMoto();
  Object.assign(process.env, motoEnvironment(moto.endpoint, REGION));
  try {
    const clients = createAwsClients(awsClientConfig(moto.endpoint, REGION));
    // AWS time is the wall time during which at least one call was in flight: the pipeline sends
    // its alerts in parallel, so summing call durations would count overlaps twice.
    let awsMs = 0;
    let inFlight = 0;
    let busySince = 0;
    const timeAws = (client: { middlewareStack: { add: Function } }) =>
      client.middlewareStack.add(
        (next: (a: unknown) => Promise<unknown>) => async (args: unknown) => {
          if (inFlight++ === 0) busySince = performance.now();
          try {
            return await next(args);
          } finally {
            if (--inFlight === 0) awsMs += performance.now() - busySince;
          }
        },
        { step: 'initialize', name: 'benchTimer' },
      );
    [clients.sagemakerIn(REGION), clients.sns, clients.eventBridge, clients.dynamodb].forEach(timeAws);
    const stack = await createLocalStack(clients, { region: REGION, rulePattern: { source: ['aws.sagemaker'] }, endpoint: moto.endpoint, prefix: 'bench' });
    const config = loadConfig({ env: stackEnvironment(stack, { ISOLATION_GUARD_MODE: 'quarantine' }) });
    const handler = createEnforceHandler({ config, clients });
    await createModel(clients, REGION, 'bench-open');
    await createModel(clients, REGION, 'bench-isolated', true);

    const measure = async (isolation: boolean | undefined, name: string) => {
      const totals: number[] = [];
      const own: number[] = [];
      for (let i = 0; i < ROUNDS + 5; i++) {
        const event = createModelEvent({ modelName: name, account: MOTO_ACCOUNT, region: REGION, isolation });
        awsMs = 0;
        const start = performance.now();
        await handler(event as never, lambdaContext());
        const total = performance.now() - start;
        if (i < 5) continue; // warm-up
        totals.push(total);
        own.push(total - awsMs);
      }
      return { total: median(totals), own: median(own), aws: median(totals) - median(own) };
    };

    const baseline: number[] = [];
    for (let i = 0; i < ROUNDS + 5; i++) {
      const start = performance.now();
      await clients.sagemakerIn(REGION).send(new DescribeModelCommand({ ModelName: 'bench-open' }));
      if (i >= 5) baseline.push(performance.now() - start);
    }
    const describeBaseline = median(baseline);
    const compliant = await measure(true, 'bench-isolated');
    const violating = await measure(undefined, 'bench-open');
    return { describeBaseline, compliant, violating };
  } finally {
    await moto.stop();
  }
}

const FUNCTIONS = ['enforce', 'sweep', 'history'] as const;

/** One fresh `node` running `code` in `dir`: its wall time and its CPU time (user + system, as the process itself reports it). */
function nodeRun(dir: string, code: string): { wall: number; cpu: number } {
  const script = `${code}; const u = process.cpuUsage(); process.stdout.write(String((u.user + u.system) / 1000));`;
  const start = performance.now();
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: dir, env: { ...process.env, AWS_REGION: REGION }, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`node -e ${code} failed: ${result.stderr}`);
  return { wall: performance.now() - start, cpu: Number(result.stdout.trim().split('\n').at(-1)) };
}

/**
 * Cold initialisation of a function's bundle: a fresh node importing it, against a fresh bare node,
 * run in pairs (bare, bundle, bare, bundle, ...) so that a machine whose speed drifts (a shared
 * VM's bare node moved between 57 and 83 ms of CPU from one run to the next) moves both alike.
 * The figures are medians of the pairs' differences (the first two pairs warm the disk cache). On a
 * shared machine the wall time moves with the load, the CPU time much less; both are printed, and
 * the targets are judged on CPU time.
 */
function coldStart(bundleDir: string, name: string) {
  const bare: Array<{ wall: number; cpu: number }> = [];
  const withBundle: Array<{ wall: number; cpu: number }> = [];
  for (let i = 0; i < 16; i++) {
    bare.push(nodeRun(process.cwd(), ''));
    withBundle.push(nodeRun(bundleDir, `await import('./functions/${name}.mjs')`));
  }
  const pairs = (key: 'wall' | 'cpu') => median(withBundle.slice(2).map((run, i) => run[key] - bare[i + 2]![key]));
  const bareCpu = median(bare.slice(2).map((run) => run.cpu));
  return { bare: { cpu: bareCpu, wall: median(bare.slice(2).map((run) => run.wall)) }, withBundle: { cpu: median(withBundle.slice(2).map((run) => run.cpu)) }, init: pairs('cpu'), initWall: pairs('wall') };
}

/**
 * The other choice: the SDK taken from the Lambda runtime (esbuild `external`), emulated by
 * resolving it from this repository's node_modules. Same esbuild settings as serverless.yml.
 */
async function runtimeSdkVariant(name: string): Promise<{ dir: string; bytes: number; gzipBytes: number }> {
  const { build } = await import('esbuild');
  const dir = join(import.meta.dirname ?? '.', '.data', 'runtime-sdk');
  const outfile = join(dir, 'functions', `${name}.mjs`);
  await build({
    entryPoints: [`functions/${name}.ts`],
    outfile,
    bundle: true,
    minify: true,
    keepNames: false, // our own code's names are kept by the own-names-kept plugin, as in serverless.yml
    target: 'node22',
    platform: 'node',
    format: 'esm',
    mainFields: ['module', 'main'],
    external: ['@aws-sdk/*', '@smithy/*'],
    plugins: createRequire(import.meta.url)('../scripts/esbuild-plugins.cjs'),
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    logLevel: 'error',
  });
  const bytes = readFileSync(outfile);
  return { dir, bytes: bytes.length, gzipBytes: gzipSync(bytes).length };
}

/** Counts SageMaker calls by command on a client. */
function countCalls(client: SageMakerClient): Record<string, number> {
  const calls: Record<string, number> = {};
  client.middlewareStack.add(
    (next, context) => async (args) => {
      calls[String(context.commandName)] = (calls[String(context.commandName)] ?? 0) + 1;
      return next(args);
    },
    { step: 'initialize', name: 'benchCount' },
  );
  return calls;
}

/** 4. Sweep of SWEEP_MODELS models in moto against a naive sequential loop over the same models. */
async function sweepTimes() {
  const count = Number(process.env.BENCH_SWEEP_MODELS ?? 2000);
  const moto = await startMoto();
  try {
    const setup = createAwsClients(awsClientConfig(moto.endpoint, REGION));
    for (let i = 0; i < count; i++) await createModel(setup, REGION, `sweep-bench-${i}`, i % 2 === 0 ? true : undefined);

    // Baseline: what a script would do: list, then describe and list tags one model at a time.
    const naiveClients = createAwsClients(awsClientConfig(moto.endpoint, REGION));
    const naiveCalls = countCalls(naiveClients.sagemakerIn(REGION));
    let started = performance.now();
    let NextToken: string | undefined;
    const names: string[] = [];
    do {
      const page = await naiveClients.sagemakerIn(REGION).send(new ListModelsCommand({ MaxResults: 100, NextToken }));
      names.push(...(page.Models ?? []).map((m) => m.ModelName!));
      NextToken = page.NextToken;
    } while (NextToken);
    for (const name of names) {
      const described = await naiveClients.sagemakerIn(REGION).send(new DescribeModelCommand({ ModelName: name }));
      await naiveClients.sagemakerIn(REGION).send(new ListTagsCommand({ ResourceArn: described.ModelArn }));
    }
    const naiveMs = performance.now() - started;

    // The sweep, in alert mode with no channel configured: the same inspection work, plus decisions.
    const clients = createAwsClients(awsClientConfig(moto.endpoint, REGION));
    const calls = countCalls(clients.sagemakerIn(REGION));
    const config = loadConfig({ env: {} });
    started = performance.now();
    const result = await sweepModels({ regions: [REGION], reminderDays: 7 }, enforcementSettings(config), enforcementDeps(config, clients));
    const sweepMs = performance.now() - started;
    return { count, naiveMs, naiveCalls, sweepMs, calls, swept: result.models.length };
  } finally {
    await moto.stop();
  }
}

/**
 * The enforce function's cold-init target, 100 ms of CPU, was set when a bare node cost 60 ms here
 * (docs/performance.md, 2026-11-29). The same code costs more on a slower or busier machine (a bare node
 * cost 70-72 ms on 2026-12-07), so the verdict is the ratio to the bare node measured in the same run:
 * under 100/60.
 */
const INIT_TARGET_RATIO = 100 / 60;

/** BENCH_ONLY=bundles,reading runs only those parts (handler, bundles, sweep, reading); the verdict then covers them only. */
const only = process.env.BENCH_ONLY?.split(',').map((p) => p.trim());
const want = (part: string) => !only || only.includes(part);

/** One archive's reading figures, and whether its targets are met. */
function printReading(reading: ReadingBench): boolean {
  const { archive } = reading;
  const mb = archive.jsonBytes / 1e6;
  const rates = (t: { ms: number }) => `${(mb / (t.ms / 1000)).toFixed(0)} MB/s of JSON, ${Math.round(archive.records / (t.ms / 1000)).toLocaleString('en')} records/s`;
  const memory = (t: { maxRssKb: number | null }) => (t.maxRssKb === null ? 'n/a' : `${(t.maxRssKb / 1024).toFixed(0)} MB`);
  console.log(
    `\n   ${archive.shape} (${describeShape(archive.shape)}): ${archive.fileList} gzip files, ${mb.toFixed(0)} MB of JSON, ${archive.records.toLocaleString('en')} records of ~${Math.round(archive.jsonBytes / archive.records)} bytes, ${archive.createModels} CreateModel; load average ${loadavg()[0]!.toFixed(1)} after it`,
  );
  console.log(`   baseline: zcat (the floor, one core)            ${ms(reading.zcat.ms)}  ${rates(reading.zcat)}`);
  console.log(`   baseline: zcat | jq CreateModel (${reading.jqCount})          ${ms(reading.jq.ms)}  ${rates(reading.jq)}`);
  console.log(`   isolation-guard audit --source DIR --offline     ${ms(reading.audit.ms)}  ${rates(reading.audit)}  peak memory ${memory(reading.audit)}`);
  console.log(`   isolation-guard evaluate FILES (${reading.evaluateCount})            ${ms(reading.evaluate.ms)}  ${rates(reading.evaluate)}  peak memory ${memory(reading.evaluate)}`);
  const auditVsZcat = reading.audit.ms / reading.zcat.ms;
  const evaluateVsZcat = reading.evaluate.ms / reading.zcat.ms;
  const jqVsEvaluate = reading.jq.ms / reading.evaluate.ms;
  console.log(
    `   wall-time ratios: audit ${auditVsZcat.toFixed(2)}x zcat's time, evaluate ${evaluateVsZcat.toFixed(2)}x (targets <= 1.0x); jq ${jqVsEvaluate.toFixed(2)}x slower than evaluate (target >= 8x); memory target < 200 MB`,
  );
  // On a machine shared with other jobs, wall time measures the scheduler as much as the code: the
  // CPU time spread over the cores is shown as what the command would need with perfect use of both
  // cores. It is a floor, not the target: the verdict is the wall time, as the targets say.
  const cores = availableParallelism();
  const cpu = (t: Timed) => t.cpuMs ?? t.ms;
  const auditCpu = cpu(reading.audit) / cores / cpu(reading.zcat);
  const evaluateCpu = cpu(reading.evaluate) / cores / cpu(reading.zcat);
  const jqCpu = cpu(reading.jq) / (cpu(reading.evaluate) / cores);
  console.log(
    `   CPU time (user + system): zcat ${ms(cpu(reading.zcat))}, jq ${ms(cpu(reading.jq))}, audit ${ms(cpu(reading.audit))}, evaluate ${ms(cpu(reading.evaluate))};` +
      ` spread over ${cores} cores: audit ${auditCpu.toFixed(2)}x zcat's, evaluate ${evaluateCpu.toFixed(2)}x; jq ${jqCpu.toFixed(2)}x evaluate's`,
  );
  const peakKb = Math.max(reading.audit.maxRssKb ?? 0, reading.evaluate.maxRssKb ?? 0);
  const fast = (a: number, e: number, j: number) => a <= 1.0 && e <= 1.0 && j >= 8;
  const met = fast(auditVsZcat, evaluateVsZcat, jqVsEvaluate) && peakKb < 200 * 1024 && reading.evaluateCount === reading.jqCount;
  if (!met && fast(auditCpu, evaluateCpu, jqCpu)) console.log('   wall-time targets missed; the CPU time would meet them with both cores fully used (start-up and compile are not spread)');
  return met;
}

async function main() {
  console.log(`sagemaker-isolation-guard benchmark (node ${process.version}, ${ROUNDS} rounds, medians)\n`);
  const verdicts: boolean[] = [];
  let enforceColdStartMs: number | null = null;

  if (want('handler')) {
    const times = await handlerTimes();
    console.log('1. enforce handler per event, against moto');
    console.log(`   baseline: one DescribeModel round trip          ${ms(times.describeBaseline)}`);
    for (const [label, t] of [['compliant (no AWS call)', times.compliant], ['violating (describe, tag, SNS, finding, ledger)', times.violating]] as const) {
      console.log(`   ${label.padEnd(48)} total ${ms(t.total)}  AWS ${ms(t.aws)}  own code ${ms(t.own)}  (own = ${(t.own / times.describeBaseline).toFixed(2)}x one DescribeModel; target < 5 ms)`);
    }
    verdicts.push(times.compliant.own < 5 && times.violating.own < 5);
  }

  if (want('bundles')) {
    const packaged = await packageService({ stage: 'bench', region: REGION });
    const bundles = [];
    for (const name of FUNCTIONS) {
      const zip = functionArtifact(packaged.dir, name);
      const entries = readZip(zip);
      const deployed = {
        zipBytes: statSync(zip).size,
        mjsBytes: entries.get(`functions/${name}.mjs`)!.length,
        maps: [...entries.keys()].filter((k) => k.endsWith('.map')).length,
        ...coldStart(extractZip(zip), name),
      };
      const variant = await runtimeSdkVariant(name);
      bundles.push({ name, deployed, runtimeSdk: { ...variant, ...coldStart(variant.dir, name) } });
    }
    disposePackagedServices();
    const bare = bundles[0]!.deployed.bare;
    console.log('\n2-3. each function: deployed zip and cold initialisation (a fresh node importing the bundle, minus a bare node run just before it)');
    console.log(`   baseline: a bare node                            CPU ${ms(bare.cpu)}, wall ${ms(bare.wall)} (during the enforce pairs)`);
    for (const b of bundles) {
      const d = b.deployed;
      console.log(
        `   ${b.name.padEnd(8)} zip ${(d.zipBytes / 1024).toFixed(0)} KiB (target < 1024), .mjs ${(d.mjsBytes / 1024).toFixed(0)} KiB, ${d.maps} source map(s) in the zip; init CPU ${ms(d.init)}${b.name === 'enforce' ? ` = ${(d.init / d.bare.cpu).toFixed(2)}x a bare node's ${ms(d.bare.cpu)} (target < ${INIT_TARGET_RATIO.toFixed(2)}x: 100 ms on a 60 ms bare node)` : ''}, wall ${ms(d.initWall)}; ${(d.withBundle.cpu / d.bare.cpu).toFixed(2)}x a bare node's CPU`,
      );
      const r = b.runtimeSdk;
      console.log(`            with the runtime's SDK instead (external): .mjs ${(r.bytes / 1024).toFixed(0)} KiB (~${(r.gzipBytes / 1024).toFixed(0)} KiB zipped); init CPU ${ms(r.init)} (${(r.init / d.init).toFixed(2)}x the bundled SDK's), wall ${ms(r.initWall)}`);
    }
    // Issue 14's targets: every zip under 1 MiB without a source map; the enforce bundle (on the
    // path of every CreateModel) initialised in under 100 ms. Sweep and history (scheduled) are measured alike.
    verdicts.push(bundles.every((b) => b.deployed.zipBytes < 1024 * 1024 && b.deployed.maps === 0) && bundles.some((b) => b.name === 'enforce' && b.deployed.init / b.deployed.bare.cpu < INIT_TARGET_RATIO));
    enforceColdStartMs = bundles.find((b) => b.name === 'enforce')?.deployed.init ?? null;
  }

  if (want('sweep')) {
    const sweep = await sweepTimes();
    console.log(`\n4. sweep of ${sweep.count} models in moto (one region)`);
    console.log(`   baseline: naive sequential loop                 ${ms(sweep.naiveMs)}  calls ${JSON.stringify(sweep.naiveCalls)}`);
    console.log(`   isolation-guard sweep (8 at once)                ${ms(sweep.sweepMs)}  calls ${JSON.stringify(sweep.calls)}  (${(sweep.naiveMs / sweep.sweepMs).toFixed(2)}x faster)`);
    const perModel = ((sweep.calls.DescribeModelCommand ?? 0) + (sweep.calls.ListTagsCommand ?? 0)) / sweep.swept;
    console.log(`   per model: ${(sweep.calls.DescribeModelCommand ?? 0) / sweep.swept} DescribeModel + ${(sweep.calls.ListTagsCommand ?? 0) / sweep.swept} ListTags, plus ${sweep.calls.ListModelsCommand} shared ListModels page(s)`);
    verdicts.push(perModel === 2 && sweep.swept === sweep.count);
  }

  if (want('reading')) {
    // Three trails: a quiet account, CreateModel in one file in three among dense decoys, and an ML platform account (calls in every file).
    const shapes = (process.env.BENCH_READING_SHAPES?.split(',') ?? ['realistic', 'third', 'dense']) as ArchiveShape[];
    console.log(`\n5. reading a trail: audit and evaluate against zcat and zcat | jq (median of 3, interleaved; load average ${loadavg()[0]!.toFixed(1)} at the start)`);
    for (const shape of shapes) verdicts.push(printReading(auditBench(shape)));
  }

  if (want('bombs')) {
    console.log(`\n5b. hostile inputs read by evaluate: CPU and memory bounded (targets: peak memory < 200 MB, under a minute of CPU; load average ${loadavg()[0]!.toFixed(1)})`);
    verdicts.push(printBombs());
  }

  if (want('scan')) {
    console.log('\n6. scan of a generated monorepo (the shift-left gate)');
    verdicts.push(printScanBench(scanBench()));
  }

  if (want('fanout')) {
    // The simulation takes a cold start: the enforce bundle's, measured above, or BENCH_COLD_START_MS.
    verdicts.push(printFanOut(await fanOutBench(enforceColdStartMs ?? Number(process.env.BENCH_COLD_START_MS ?? 100))));
  }

  console.log(`\ntargets ${verdicts.every(Boolean) ? 'met' : 'NOT met'}${only ? ` (parts run: ${only.join(', ')})` : ''}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
