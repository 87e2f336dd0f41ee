import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRegularFile, readScanSources } from '../../shared/scan/files.js';
import { parseHclLite } from '../../shared/scan/hcl-lite.js';
import { parseHcl, parseHclWasm } from '../../shared/scan/hcl-parser.js';
import { scanSources } from '../../shared/scan/scan.js';
import type { ScanFinding } from '../../shared/scan/types.js';

const NOW = new Date('2026-11-29T12:00:00Z');
const scan = (paths: string[]) => scanSources(readScanSources(paths), { parseHcl, varFiles: [], parameters: new Map(), now: NOW });
const rows = (findings: ScanFinding[]) => findings.map((f) => [f.resource, f.verdict]);
const tmp = mkdtempSync(join(tmpdir(), 'guard-reading-'));

describe('scan: what it reads', () => {
  it('refuses devices and FIFOs, named, whether walked or linked, and bounds the bytes read per file', async () => {
    const dir = join(tmp, 'hostile');
    mkdirSync(dir);
    symlinkSync('/dev/zero', join(dir, 'zero.tf'));
    expect(spawnSync('mkfifo', [join(dir, 'pipe.tf')]).status).toBe(0);
    writeFileSync(join(dir, 'ok.tf'), 'resource "aws_sagemaker_model" "ok" {\n  enable_network_isolation = true\n}\n');
    const { findings, problems } = await scan([dir, join(dir, 'zero.tf')]);
    expect(rows(findings)).toEqual([['aws_sagemaker_model.ok', 'compliant']]);
    expect(problems.map((p) => [p.file.slice(dir.length + 1), p.message])).toEqual([
      ['pipe.tf', 'refused: a FIFO; only regular files are read'],
      ['zero.tf', 'refused: a character device (a link to /dev/zero); only regular files are read'],
      ['zero.tf', 'refused: a character device (a link to /dev/zero); only regular files are read'],
    ]);
    writeFileSync(join(dir, 'big.json'), 'x'.repeat(100));
    expect(() => readRegularFile(join(dir, 'big.json'), 99)).toThrow('refused: 100 bytes, more than the 99 read per file');
    expect(readRegularFile(join(dir, 'big.json'), 100)).toHaveLength(100);
  });

  it('reports a CDK app without its synth output instead of passing it', async () => {
    const dir = join(tmp, 'cdk-app');
    mkdirSync(dir);
    writeFileSync(join(dir, 'cdk.json'), '{"app": "npx ts-node bin/app.ts"}\n');
    const { problems } = await scan([dir]);
    expect(problems).toEqual([{ file: join(dir, 'cdk.json'), line: null, column: null, message: expect.stringMatching(/^a CDK app without its synth output \(cdk\.out\/\): run `cdk synth` first/) }]);
    mkdirSync(join(dir, 'cdk.out'));
    expect((await scan([dir])).problems).toEqual([]);
  });

  it('reads HCL like HashiCorp parser does, and leaves what it does not recognise to it', async () => {
    const text = [
      '/* c */ locals {',
      '  list = [\n    "a", # one\n    "b",\n  ]',
      '  nested = { a = { b = [1, -2] }, "quoted key" = true }',
      '  cond = var.env == "prod" ? true : false # note',
      '  forx = [for s in var.list : upper(s) if s != ""]',
      '  str = "a\\"b ${var.x} $${literal}"',
      '  doc = <<-EOT\n    stripped\n      more\n  EOT',
      '  deps = [\n    # why it waits\n    aws_sqs_queue_policy.this,\n  ]',
      '  acl = {\n    gid = "1001"\n    inner = {\n      uid = "1001" # note\n    }\n  }',
      '  typed = map(object({\n    # a comment inside an expression is kept, as HashiCorp\'s parser keeps it\n    name = string\n  }))',
      '}',
      'resource "aws_sagemaker_model" "m\\u0031" {',
      '  dynamic "container" {\n    for_each = var.c\n    content {\n      image = container.value\n    }\n  }',
      '  primary_container { image = "x" }',
      '  enable_network_isolation = var.on && var.other',
      '}',
      '',
    ].join('\n');
    expect(parseHclLite(text)).toEqual(await parseHclWasm('x.tf', text));
    expect(() => parseHclLite('resource "a" "b" {\n  x = \n}\n')).toThrow();
    // A key computed by a function: not evaluated here, left to HashiCorp's parser.
    const computedKey = 'locals {\n  tags = {\n    format("a/%s", local.n) = "shared"\n  }\n}\n';
    expect(() => parseHclLite(computedKey)).toThrow();
    expect(await parseHcl('x.tf', computedKey)).toEqual(await parseHclWasm('x.tf', computedKey));
    await expect(parseHcl('x.tf', 'resource "a" "b" {\n  x = \n}\n')).rejects.toThrow(/Invalid expression/);
  });
});
