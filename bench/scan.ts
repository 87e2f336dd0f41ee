/**
 * `isolation-guard scan` over a generated monorepo: 5,000 `.tf` files (1,000 stacks of 5 files)
 * and 500 CloudFormation templates (half YAML with short tags, half JSON), beside `cat` of the same
 * files (the floor: reading them). Two trees: a typical one (1 stack in 10 and 1 template in 5
 * hold a SageMaker model) and the worst case (every stack holds one, so every .tf file is parsed).
 * Peak memory from GNU time. Targets (issue 21, a pre-commit gate runs on every commit): under 0.5 s
 * for a repository of a few dozen files (8 stacks, 40 files), under 3 s for the 5,500 files, peak
 * memory under 200 MB. On a shared machine the wall times move with the load: the ratio to `cat`
 * of the same files, measured in the same run, and the CPU time are the steadier figures.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';

const STACKS = 1000;
const TEMPLATES = 500;

function stackFiles(i: number, withModel: boolean): Record<string, string> {
  const name = `svc${String(i).padStart(4, '0')}`;
  const variables = Array.from({ length: 6 }, (_, v) => `variable "setting_${v}" {\n  type    = string\n  default = "value-${v}"\n  description = "Setting ${v} of ${name}"\n}\n`).join('\n');
  const buckets = Array.from({ length: 4 }, (_, b) =>
    `resource "aws_s3_bucket" "${name}_${b}" {\n  bucket = "\${local.prefix}-${b}"\n  tags   = local.tags\n}\n\nresource "aws_s3_bucket_versioning" "${name}_${b}" {\n  bucket = aws_s3_bucket.${name}_${b}.id\n  versioning_configuration {\n    status = "Enabled"\n  }\n}\n`,
  ).join('\n');
  const model = withModel
    ? `\nresource "aws_sagemaker_model" "${name}" {\n  name                     = "\${local.prefix}-model"\n  execution_role_arn       = aws_iam_role.${name}.arn\n  enable_network_isolation = var.isolate\n  primary_container {\n    image = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/${name}:1"\n  }\n}\n`
    : '';
  return {
    'main.tf': `${buckets}${model}`,
    'variables.tf': `${variables}\nvariable "isolate" {\n  type    = bool\n  default = ${i % 20 === 0 ? 'false' : 'true'}\n}\n`,
    'locals.tf': `locals {\n  prefix = "${name}-\${var.setting_0}"\n  tags = {\n    service = "${name}"\n    owner   = "team-${i % 17}"\n  }\n}\n`,
    'outputs.tf': Array.from({ length: 4 }, (_, b) => `output "bucket_${b}" {\n  value = aws_s3_bucket.${name}_${b}.arn\n}\n`).join('\n'),
    'providers.tf': `terraform {\n  required_providers {\n    aws = {\n      source  = "hashicorp/aws"\n      version = "~> 5.0"\n    }\n  }\n}\n\nprovider "aws" {\n  region = "eu-west-1"\n}\n`,
  };
}

function template(i: number, withModel: boolean): [string, string] {
  const model = withModel ? { Type: 'AWS::SageMaker::Model', Properties: { EnableNetworkIsolation: i % 10 === 0 ? 'false' : true, ExecutionRoleArn: { 'Fn::GetAtt': ['Role', 'Arn'] } } } : null;
  const queues = Object.fromEntries(Array.from({ length: 8 }, (_, q) => [`Queue${q}`, { Type: 'AWS::SQS::Queue', Properties: { QueueName: { 'Fn::Sub': `t${i}-q${q}-\${Env}` }, VisibilityTimeout: 60 } }]));
  if (i % 2 === 0) {
    const body = { AWSTemplateFormatVersion: '2010-09-09', Parameters: { Env: { Type: 'String', Default: 'dev' } }, Resources: { ...queues, ...(model ? { Model: model } : {}) } };
    return [`t${i}.template.json`, JSON.stringify(body, null, 1)];
  }
  const queueYaml = Array.from({ length: 8 }, (_, q) => `  Queue${q}:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !Sub t${i}-q${q}-\${Env}\n      VisibilityTimeout: 60\n`).join('');
  const modelYaml = model ? `  Model:\n    Type: AWS::SageMaker::Model\n    Properties:\n      EnableNetworkIsolation: !Ref Isolate\n      ExecutionRoleArn: !GetAtt Role.Arn\n` : '';
  return [`t${i}.yaml`, `AWSTemplateFormatVersion: '2010-09-09'\nParameters:\n  Env:\n    Type: String\n    Default: dev\n  Isolate:\n    Type: String\n    Default: 'true'\nResources:\n${queueYaml}${modelYaml}`];
}

/** Writes the tree once (bench/.data/scan-<kind>), returns its root. */
function ensureScanTree(kind: 'typical' | 'worst'): string {
  const root = join('bench', '.data', `scan-${kind}`);
  const marker = join(root, '.complete');
  if (existsSync(marker)) return root;
  rmSync(root, { recursive: true, force: true });
  for (let i = 0; i < STACKS; i++) {
    const dir = join(root, 'stacks', `svc${String(i).padStart(4, '0')}`);
    mkdirSync(dir, { recursive: true });
    for (const [name, text] of Object.entries(stackFiles(i, kind === 'worst' || i % 10 === 0))) writeFileSync(join(dir, name), text);
  }
  mkdirSync(join(root, 'templates'), { recursive: true });
  for (let i = 0; i < TEMPLATES; i++) {
    const [name, text] = template(i, kind === 'worst' || i % 5 === 0);
    writeFileSync(join(root, 'templates', name), text);
  }
  writeFileSync(marker, '');
  return root;
}

function timed(command: string): { ms: number; cpuMs: number | null; maxRssKb: number | null; stdout: string; stderr: string } {
  const gnuTime = existsSync('/usr/bin/time');
  const started = performance.now();
  const result = spawnSync('bash', ['-c', gnuTime ? `/usr/bin/time -f '%M %U %S' -o /tmp/bench-scan-rss ${command}` : command], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const ms = performance.now() - started;
  if (result.status !== 0 && result.status !== 1) throw new Error(`${command} failed (${result.status}): ${result.stderr}`);
  const [rss, user, system] = gnuTime ? spawnSync('cat', ['/tmp/bench-scan-rss'], { encoding: 'utf8' }).stdout.trim().split('\n').at(-1)!.split(' ').map(Number) : [];
  const cpuMs = user !== undefined && system !== undefined ? (user + system) * 1000 : Number.NaN;
  return { ms, cpuMs: Number.isFinite(cpuMs) ? cpuMs : null, maxRssKb: rss !== undefined && Number.isFinite(rss) ? rss : null, stdout: result.stdout, stderr: result.stderr };
}

const mb = (kb: number | null) => (kb === null ? 'n/a' : `${(kb / 1024).toFixed(0)} MB`);
const median3 = (command: string) => [timed(command), timed(command), timed(command)].sort((a, b) => a.ms - b.ms)[1]!;

export function scanBench() {
  return (['typical', 'worst'] as const).map((kind) => {
    const root = ensureScanTree(kind);
    const files = STACKS * 5 + TEMPLATES;
    const cat = median3(`find ${root} -type f \\( -name '*.tf' -o -name '*.json' -o -name '*.yaml' \\) -print0 | xargs -0 cat > /dev/null`);
    const scan = median3(`node bin/isolation-guard.mjs scan ${root} --out /tmp/bench-scan.jsonl`);
    const few = Array.from({ length: 8 }, (_, i) => join(root, 'stacks', `svc${String(i).padStart(4, '0')}`)).join(' ');
    const smallCat = median3(`cat ${few.split(' ').map((d) => `${d}/*.tf`).join(' ')} > /dev/null`);
    const small = median3(`node bin/isolation-guard.mjs scan ${few} --out /tmp/bench-scan-few.jsonl`);
    const node = median3('node -e 0');
    // A folder with a syntax error: the one case that starts HashiCorp's WebAssembly parser (for its diagnostics).
    const wasm = median3('node bin/isolation-guard.mjs scan tests/fixtures/iac/terraform/broken --out /tmp/bench-scan-wasm.jsonl 2>/dev/null; true');
    const models = Number(/(\d+) SageMaker model resource/.exec(scan.stderr)?.[1] ?? Number.NaN);
    return { kind, files, models, cat, scan, small, smallCat, node, wasm };
  });
}

export function printScanBench(results: ReturnType<typeof scanBench>): boolean {
  let ok = true;
  const load = spawnSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).stdout.split(' ')[0];
  console.log(`   (load average ${load ?? '?'} on ${String(availableParallelism())} cores: on a shared machine, CPU time is the steadier figure)`);
  for (const { kind, files, models, cat, scan, small, smallCat, node, wasm } of results) {
    console.log(`   ${kind} tree: ${files} files (5,000 .tf + 500 templates), ${models} model resources (median of 3)`);
    console.log(`     baseline: cat of the same files               ${cat.ms.toFixed(0)} ms`);
    console.log(
      `     isolation-guard scan                           ${scan.ms.toFixed(0)} ms  ${((scan.ms * 1000) / files).toFixed(0)} µs/file  ${(scan.ms / cat.ms).toFixed(1)}x cat  CPU ${scan.cpuMs?.toFixed(0) ?? 'n/a'} ms  peak memory ${mb(scan.maxRssKb)}`,
    );
    console.log(`     a few dozen files (8 stacks, 40 .tf): cat ${smallCat.ms.toFixed(0)} ms, \`node -e 0\` ${node.ms.toFixed(0)} ms, scan ${small.ms.toFixed(0)} ms (CPU ${small.cpuMs?.toFixed(0) ?? 'n/a'} ms, peak memory ${mb(small.maxRssKb)})`);
    console.log(`     a folder with a syntax error (the WebAssembly parser started): ${wasm.ms.toFixed(0)} ms, CPU ${wasm.cpuMs?.toFixed(0) ?? 'n/a'} ms, peak memory ${mb(wasm.maxRssKb)}`);
    const met = scan.ms < 3000 && small.ms < 500 && (scan.maxRssKb ?? 0) < 200 * 1024;
    console.log(`     targets (5,500 files under 3 s, 40 files under 0.5 s, peak memory under 200 MB): ${met ? 'met' : 'NOT met'}${met ? '' : ` (CPU ${scan.cpuMs?.toFixed(0) ?? 'n/a'} ms / ${small.cpuMs?.toFixed(0) ?? 'n/a'} ms: on a loaded machine compare CPU)`}`);
    ok &&= met;
  }
  return ok;
}

if (process.argv[1]?.endsWith('scan.ts')) {
  console.log('isolation-guard scan over a generated monorepo');
  printScanBench(scanBench());
}
