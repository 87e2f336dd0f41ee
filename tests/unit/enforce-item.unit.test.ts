import { describe, expect, it } from 'vitest';
import { enforceCommand } from '../../cli/commands/enforce.js';
import { loadConfig } from '../../shared/config.js';
import { enforcementSettings } from '../../shared/enforcement/deps.js';
import { resultRecord } from '../../shared/enforcement/enforce-item.js';
import type { EnforcementDeps, EnforcementResult } from '../../shared/enforcement/pipeline.js';
import { memoryStepLedger } from '../../shared/enforcement/step-ledger.js';
import { enforceEvent } from '../../shared/lambda/enforce-event.js';
import { createModelEvent } from '../../local-aws/cloudtrail-events.js';

const NOW = new Date('2026-11-22T12:00:00Z');

/** Each front-end's own effects: a ledger of its own (nothing replayed), Slack received in memory; no AWS call is needed. */
function deps(slack: unknown[]): EnforcementDeps {
  return {
    sagemakerFor: () => {
      throw new Error('a malformed record is not looked at');
    },
    sns: null,
    slack: {
      send: async (payload: unknown) => {
        slack.push(payload);
        return {};
      },
    },
    finding: null,
    ledger: memoryStepLedger(),
    now: () => NOW,
  };
}

describe('one enforce front for the Lambda and the CLI', () => {
  it('a malformed CreateModel record: the Lambda logs and the CLI prints the same result line, a violation alerted as unconfirmed', async () => {
    const event = createModelEvent({ modelName: 'malformed-model', account: '111122223333', region: 'eu-west-1', eventId: 'ct-malformed', isolation: true }) as any;
    event.detail.recipientAccountId = 'abc';
    const config = loadConfig({});
    const settings = enforcementSettings(config);

    let logged: EnforcementResult | undefined;
    const lambdaSlack: unknown[] = [];
    await enforceEvent(event, settings, deps(lambdaSlack), (result) => (logged = result));

    const out: string[] = [];
    const err: string[] = [];
    const bytes = new TextEncoder().encode(JSON.stringify(event));
    const cliSlack: unknown[] = [];
    const code = await enforceCommand(
      { inputs: ['event.json'], fromDlq: null, region: 'eu-west-1', config, env: {} },
      { stdout: (line) => out.push(line), stderr: (line) => err.push(line), input: async (name) => ({ name, size: bytes.length, read: async () => bytes }) },
      deps(cliSlack),
    );

    expect(code).toBe(1);
    expect(err.join('\n')).toMatch(/event\.json: .*recipientAccountId.*: handled as a violation/);
    expect(out).toHaveLength(1);
    const printed = JSON.parse(out[0]!);
    expect(printed).toEqual(JSON.parse(JSON.stringify(resultRecord(logged!))));
    expect(printed).toMatchObject({
      decision: { verdict: 'violation', eventId: 'ct-malformed', reasons: expect.arrayContaining([expect.stringMatching(/^Unconfirmed: the record is malformed \(.*recipientAccountId/)]) },
      action: { kind: 'none' },
      channels: { sns: 'not-configured', slack: 'sent', finding: 'not-configured' },
      failures: {},
    });
    expect(cliSlack).toEqual(lambdaSlack);
  });
});
