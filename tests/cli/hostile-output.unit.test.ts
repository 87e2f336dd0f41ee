import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cloudTrailLogFile, createModelRecord, logFileKey } from '../support/archive-generator.js';
import { runCliInProcess } from '../support/cli.js';

/**
 * Text from a record or a template reaches a terminal through the reports (audit md/csv/html/json)
 * and the scan's json and sarif: one sanitiser, so no raw ESC, BEL, bidi or zero-width character is
 * printed (an OSC-8 link or a colour would work, U+202E would reverse what follows), and JSON keeps
 * the exact value.
 */
const OSC8 = '\u001b]8;;https://evil.example\u0007click me\u001b]8;;\u0007';
const HOSTILE_AGENT = `aws-cli/2 ${OSC8} \u001b[2J\u0007 \u202eexe.gpj \u200b\u2066 \u0085`;
/** What a terminal acts on or hides, raw: C0 (but tab, LF, and the CR of a CRLF), C1, bidi, zero-width, separators, BOM. */
// eslint-disable-next-line no-control-regex
const RAW = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]|\r(?!\n)/;

function hostileArchive(): string {
  const root = mkdtempSync(join(tmpdir(), 'guard-hostile-'));
  const key = logFileKey({ account: '111111111111', region: 'eu-west-1', day: '2026/10/03', time: '2026-10-03T10:00:00Z' });
  const record: Record<string, any> = { ...createModelRecord({ account: '111111111111', region: 'eu-west-1', time: '2026-10-03T10:00:00Z', modelName: 'open-model' }), userAgent: HOSTILE_AGENT };
  record.userIdentity.arn = `arn:aws:sts::111111111111:assumed-role/x/${OSC8}\u202e`;
  mkdirSync(dirname(join(root, key)), { recursive: true });
  writeFileSync(join(root, key), cloudTrailLogFile([record]));
  return root;
}

describe('hostile text on the terminal', () => {
  const source = hostileArchive();
  it.each(['md', 'csv', 'html', 'json'])('audit --format %s on stdout prints no raw control or bidi character', async (format) => {
    const { code, stdout } = await runCliInProcess(['audit', '--from', '2026-10-01', '--to', '2026-10-31', '--source', source, '--offline', '--format', format]);
    expect(code).toBe(1);
    expect(stdout).toContain('open-model');
    expect(RAW.exec(stdout)?.[0].codePointAt(0)?.toString(16) ?? null).toBeNull();
    if (format === 'json') expect(stdout).toContain('\\u202e');
  });

  it.each(['json', 'sarif'])('scan --format %s prints no raw control or bidi character, and keeps the exact value', async (format) => {
    const dir = mkdtempSync(join(tmpdir(), 'guard-hostile-scan-'));
    // The resource's logical id is what the scan prints of it.
    const name = `Model${OSC8}\u202egpj`;
    writeFileSync(
      join(dir, 'template.json'),
      JSON.stringify({ AWSTemplateFormatVersion: '2010-09-09', Resources: { [name]: { Type: 'AWS::SageMaker::Model', Properties: { ExecutionRoleArn: 'arn:aws:iam::111111111111:role/x' } } } }),
    );
    const { code, stdout } = await runCliInProcess(['scan', '--format', format, dir]);
    expect(code).toBe(1);
    expect(RAW.exec(stdout)?.[0].codePointAt(0)?.toString(16) ?? null).toBeNull();
    // JSON stays exact: the escapes decode to the very name.
    const printed = format === 'json' ? JSON.parse(stdout.split('\n')[0]!).resource : JSON.stringify(JSON.parse(stdout));
    if (format === 'json') expect(printed).toBe(name);
    else expect(printed).toContain(JSON.stringify(name).slice(1, -1));
  });
});
