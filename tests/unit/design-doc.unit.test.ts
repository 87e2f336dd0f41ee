import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const design = readFileSync(join(root, 'docs/design.md'), 'utf8');

/** The CloudWatch metric names the code emits (`addMetric('Name'` or a template's fixed part, `AlertFailures_<channel>`). */
function emittedMetrics(): string[] {
  const names = new Set<string>();
  for (const entry of readdirSync(join(root, 'shared'), { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const text = readFileSync(join(entry.parentPath, entry.name), 'utf8');
    for (const m of text.matchAll(/addMetric\(\s*(['`])([A-Za-z_]+)(\$\{[a-z]+\})?/g)) names.add(m[3] ? `${m[2]}<${m[3].slice(2, -1)}>` : m[2]!);
  }
  return [...names].sort();
}

describe('docs/design.md keeps up with the code', () => {
  it('names every metric the functions emit', () => {
    const metrics = emittedMetrics();
    expect(metrics).toEqual(expect.arrayContaining(['EventsHandled', 'Violations', 'AlertFailures_<channel>']));
    expect(metrics.filter((name) => !design.includes(`\`${name}\``))).toEqual([]);
  });

  it("names the Security Hub import among the function's grants", () => {
    expect(design).toContain('`securityhub:BatchImportFindings`');
  });
});
