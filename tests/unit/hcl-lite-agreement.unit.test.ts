import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseHclLite } from '../../shared/scan/hcl-lite.js';
import { parseHclWasm } from '../../shared/scan/hcl-parser.js';
import { HclLiteUnsupported } from '../../shared/scan/errors.js';

// The scan gate reads Terraform with the fast structural reader (hcl-lite) and hands what it does not
// recognise to HashiCorp's parser. A misread that the reader does not notice would be a false pass, so
// the reader must either refuse a text (HclLiteUnsupported) or give exactly what HashiCorp's parser
// gives: checked on every .tf fixture of the repository and on shapes chosen to mislead a hand-written
// reader (braces, quotes, comment markers and heredoc markers inside strings, comments and templates).

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'iac');
const tfFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? tfFiles(join(dir, e.name)) : e.name.endsWith('.tf') ? [join(dir, e.name)] : []));

const MODEL = (body: string) => `resource "aws_sagemaker_model" "m" {\n${body}\n}\n`;
const TRICKY: Record<string, string> = {
  'a brace and a quote inside a string': MODEL('  name = "a } \\" { b"\n  enable_network_isolation = false'),
  'comment markers inside strings': MODEL('  name = "x # not a comment // nor /* this */"\n  enable_network_isolation = true'),
  'a commented-out attribute, each comment style': MODEL('  # enable_network_isolation = true\n  // enable_network_isolation = true\n  /* enable_network_isolation = true */\n  name = "m"'),
  'a block comment spanning lines with braces': `/* resource "aws_sagemaker_model" "ghost" {\n  enable_network_isolation = true\n} */\n${MODEL('  enable_network_isolation = false')}`,
  'a heredoc whose body holds HCL and its marker as a word': MODEL('  description = <<EOT\nenable_network_isolation = true\n}\nnot EOT here\nEOT\n  enable_network_isolation = false'),
  'an indented heredoc': MODEL('  description = <<-EOT\n      deep\n    shallow\n    EOT\n  enable_network_isolation = true'),
  'nested templates with quotes and braces': MODEL('  name = "${var.p}-${lookup({ a = "}" }, "a", "x")}"\n  enable_network_isolation = var.isolate'),
  'escaped template markers': MODEL('  name = "$${not} %%{not}"\n  enable_network_isolation = true'),
  'a multi-line conditional': MODEL('  enable_network_isolation = (\n    var.env == "prod"\n    ? true\n    : false\n  )'),
  'one-line blocks and attributes on one line': 'resource "aws_sagemaker_model" "a" { enable_network_isolation = true }\nresource "aws_sagemaker_model" "b" {}\n',
  'a string attribute that looks like a bool': MODEL('  enable_network_isolation = "false"'),
  'unicode escapes in strings and labels': 'resource "aws_sagemaker_model" "m\\u0031" {\n  name = "caf\\u00e9 \\U0001F600 \\t\\n"\n  enable_network_isolation = true\n}\n',
  'numbers in their forms': 'locals {\n  a = 1\n  b = 1.5\n  c = 1e3\n  d = -2\n}\n',
  'dynamic blocks and splats': MODEL('  dynamic "container" {\n    for_each = var.containers\n    content {\n      image = container.value.image\n    }\n  }\n  tags = { for k, v in var.tags : k => v if v != null }\n  ids = aws_instance.x[*].id'),
  'a trailing comment without a final newline': 'resource "aws_sagemaker_model" "m" {\n  enable_network_isolation = true\n} # end',
};

async function agree(name: string, text: string): Promise<'read' | 'refused'> {
  let lite: unknown;
  try {
    lite = parseHclLite(text);
  } catch (error) {
    if (error instanceof HclLiteUnsupported) return 'refused';
    throw new Error(`${name}: the reader threw something other than HclLiteUnsupported: ${String(error)}`);
  }
  expect(lite, name).toEqual(await parseHclWasm(`${name}.tf`, text));
  return 'read';
}

describe('hcl-lite agrees with HashiCorp parser or refuses', () => {
  it('on every .tf fixture of the repository', async () => {
    const files = tfFiles(FIXTURES);
    expect(files.length).toBeGreaterThanOrEqual(19);
    const outcomes: Record<string, string> = {};
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      // A fixture that is broken on purpose is HashiCorp's parser's to refuse.
      const valid = await parseHclWasm(file, text).then(() => true, () => false);
      if (valid) outcomes[relative(FIXTURES, file)] = await agree(file, text);
    }
    // The fast path must be taken, not refused everywhere: most fixtures are read by the reader.
    expect(Object.values(outcomes).filter((o) => o === 'read').length).toBeGreaterThanOrEqual(15);
  });

  it('on template directives, the one known difference: both keep the value a template (known only after apply)', async () => {
    const text = MODEL('  enable_network_isolation = "%{ if var.on }true%{ else }false%{ endif }"');
    const value = (tree: unknown) => (tree as { resource: { aws_sagemaker_model: { m: [{ enable_network_isolation: string }] } } }).resource.aws_sagemaker_model.m[0].enable_network_isolation;
    expect(value(parseHclLite(text))).toMatch(/^%\{ ?if var\.on ?\}true%\{ ?else ?\}false%\{ ?endif ?\}$/);
    expect(value(await parseHclWasm('directive.tf', text))).toBe('%{if var.on}true%{else}false%{endif}');
  });

  it('on CRLF line ends (Terraform on Windows): read as the same file with LF, or refused', async () => {
    const lf = MODEL('  name = "m"\n  enable_network_isolation = false');
    let lite: unknown = 'refused';
    try {
      lite = parseHclLite(lf.replace(/\n/g, '\r\n'));
    } catch (error) {
      if (!(error instanceof HclLiteUnsupported)) throw error;
    }
    if (lite !== 'refused') expect(lite).toEqual(await parseHclWasm('lf.tf', lf));
  });

  it.each(Object.entries(TRICKY))('on %s', async (name, text) => {
    await parseHclWasm(`${name}.tf`, text); // each shape is valid HCL
    await agree(name, text);
  });
});
