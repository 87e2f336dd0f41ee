/**
 * `npm run bench`: the enforce handler's cost, each figure beside a baseline measured in the same
 * run on the same machine (no absolute timings are asserted anywhere; see the README's targets).
 *
 * 1. Time per event against moto, split into our own code and the AWS calls (timed by an SDK
 *    middleware), for a compliant and a violating event; baseline: one bare DescribeModel call.
 * 2. The bundle: size of the packaged zip and of the .mjs in it.
 * 3. Cold initialisation of the bundle (import in a fresh node) against a fresh `node -e ''`.
 */
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';

import { DescribeModelCommand, ListModelsCommand, ListTagsCommand, type SageMakerClient } from '@aws-sdk/client-sagemaker';
import { enforcementDeps, enforcementSettings } from '../shared/enforcement/deps.js';
import { sweepModels } from '../shared/sweep/sweep.js';
import { auditBench } from './audit.js';
import { fanOutBench, printFanOut } from './fanout.js';
import { printScanBench, scanBench } from './scan.js';
import { createAwsClients } from '../shared/aws/clients.js';
import { loadConfig } from '../shared/config.js';
import { createEnforceHandler } from '../shared/lambda/enforce-handler.js';
import { createModelEvent } from '../tests/support/cloudtrail-events.js';
import { lambdaContext } from '../tests/support/lambda-context.js';
import { createLocalStack, createModel, stackEnvironment } from '../tests/support/local-stack.js';
import { awsClientConfig, MOTO_ACCOUNT, motoEnvironment, startMoto } from '../tests/support/moto.js';
import { disposePackagedServices, extractZip, functionArtifact, packageService, readZip } from '../tests/support/packaged-template.js';

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

function coldStart(bundleDir: string) {
  const time = (args: string[]) => {
    const runs: number[] = [];
    for (let i = 0; i < 12; i++) {
      const start = performance.now();
      const result = spawnSync(process.execPath, args, { cwd: bundleDir, env: { ...process.env, AWS_REGION: REGION } });
      if (result.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${result.stderr}`);
      runs.push(performance.now() - start);
    }
    return median(runs.slice(2));
  };
  const bare = time(['-e', '']);
  const withBundle = time(['--input-type=module', '-e', "await import('./functions/enforce.mjs')"]);
  return { bare, withBundle, init: withBundle - bare };
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

async function main() {
  console.log(`sagemaker-isolation-guard benchmark (node ${process.version}, ${ROUNDS} rounds, medians)\n`);
  // BENCH_ONLY=fanout: the organisation-scale simulation alone (cold start from BENCH_COLD_START_MS, default the README's 110 ms).
  if (process.env.BENCH_ONLY === 'fanout') {
    const ok = printFanOut(await fanOutBench(Number(process.env.BENCH_COLD_START_MS ?? 110)));
    console.log(`\ntargets ${ok ? 'met' : 'NOT met'}`);
    return;
  }
  const packaged = await packageService({ stage: 'bench', region: REGION });
  const zip = functionArtifact(packaged.dir, 'enforce');
  const zipBytes = statSync(zip).size;
  const mjsBytes = readZip(zip).get('functions/enforce.mjs')!.length;
  const codeDir = extractZip(zip);
  const cold = coldStart(codeDir);
  const times = await handlerTimes();
  disposePackagedServices();

  console.log('1. enforce handler per event, against moto');
  console.log(`   baseline: one DescribeModel round trip          ${ms(times.describeBaseline)}`);
  for (const [label, t] of [['compliant (no AWS call)', times.compliant], ['violating (describe, tag, SNS, finding, ledger)', times.violating]] as const) {
    console.log(`   ${label.padEnd(48)} total ${ms(t.total)}  AWS ${ms(t.aws)}  own code ${ms(t.own)}  (own = ${(t.own / times.describeBaseline).toFixed(2)}x one DescribeModel; target < 5 ms)`);
  }
  console.log('\n2. bundle');
  console.log(`   enforce.zip ${(zipBytes / 1024).toFixed(0)} KiB; functions/enforce.mjs ${(mjsBytes / 1024).toFixed(0)} KiB`);
  console.log('\n3. cold initialisation of the bundle');
  console.log(`   baseline: node -e ''                            ${ms(cold.bare)}`);
  console.log(`   node importing functions/enforce.mjs              ${ms(cold.withBundle)}`);
  console.log(`   bundle init = difference                          ${ms(cold.init)}  (${(cold.withBundle / cold.bare).toFixed(2)}x bare node; target < 150 ms)`);
  const sweep = await sweepTimes();
  console.log(`\n4. sweep of ${sweep.count} models in moto (one region)`);
  console.log(`   baseline: naive sequential loop                 ${ms(sweep.naiveMs)}  calls ${JSON.stringify(sweep.naiveCalls)}`);
  console.log(`   isolation-guard sweep (8 at once)                ${ms(sweep.sweepMs)}  calls ${JSON.stringify(sweep.calls)}  (${(sweep.naiveMs / sweep.sweepMs).toFixed(2)}x faster)`);
  const perModel = ((sweep.calls.DescribeModelCommand ?? 0) + (sweep.calls.ListTagsCommand ?? 0)) / sweep.swept;
  console.log(`   per model: ${(sweep.calls.DescribeModelCommand ?? 0) / sweep.swept} DescribeModel + ${(sweep.calls.ListTagsCommand ?? 0) / sweep.swept} ListTags, plus ${sweep.calls.ListModelsCommand} shared ListModels page(s)`);
  const audit = auditBench();
  const records = audit.archive.records;
  const rate = (ms: number) => `${Math.round(records / (ms / 1000)).toLocaleString('en')} records/s`;
  console.log(`\n5. audit --source DIR over ${audit.archive.files} gzip files, ${records.toLocaleString('en')} records, ${audit.archive.createModels} CreateModel (median of 3)`);
  console.log(`   baseline: zcat (the floor)                      ${ms(audit.zcat.ms)}  ${rate(audit.zcat.ms)}`);
  console.log(`   baseline: zcat | jq CreateModel (${audit.jqCount})          ${ms(audit.jq.ms)}  ${rate(audit.jq.ms)}`);
  console.log(`   isolation-guard audit                            ${ms(audit.audit.ms)}  ${rate(audit.audit.ms)}  peak memory ${audit.audit.maxRssKb === null ? 'n/a' : `${(audit.audit.maxRssKb / 1024).toFixed(0)} MB`}`);
  const vsZcat = audit.audit.ms / audit.zcat.ms;
  const vsJq = audit.jq.ms / audit.audit.ms;
  console.log(`   ratios: ${vsZcat.toFixed(2)}x zcat's time (target <= 1.5x); ${vsJq.toFixed(2)}x faster than jq (target >= 5x); memory target < 200 MB`);
  const auditOk = vsZcat <= 1.5 && vsJq >= 5 && (audit.audit.maxRssKb ?? 0) < 200 * 1024;

  console.log('\n6. scan of a generated monorepo (the shift-left gate)');
  const scanOk = printScanBench(scanBench());

  const fanOutOk = printFanOut(await fanOutBench(cold.init));

  const ok = scanOk && fanOutOk && auditOk && times.compliant.own < 5 && times.violating.own < 5 && cold.init < 150 && perModel === 2 && sweep.swept === sweep.count;
  console.log(`\ntargets ${ok ? 'met' : 'NOT met'}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
