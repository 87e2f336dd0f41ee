import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const { classesDelete } = require('../../iac/class-modes.cjs') as { classesDelete: (ctx: { resolveVariable: (name: string) => Promise<unknown> }) => Promise<string> };
const withClasses = (classes: string) => classesDelete({ resolveVariable: async (name) => (name === 'param:classes' ? classes : undefined) });

describe('iac/class-modes.cjs: DeleteModel for a class whose mode is delete', () => {
  it("is 'true' only when a class sets mode delete", async () => {
    await expect(withClasses('')).resolves.toBe('false');
    await expect(withClasses('{"public": {"severity": "low", "mode": "alert"}}')).resolves.toBe('false');
    await expect(withClasses('{"phi": {"severity": "critical", "mode": "delete"}}')).resolves.toBe('true');
  });

  it('stops packaging on classes that are not JSON, naming the parameter', async () => {
    await expect(withClasses('phi=delete')).rejects.toThrow(/param classes: not JSON/);
  });
});
