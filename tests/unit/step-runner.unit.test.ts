import { describe, expect, it } from 'vitest';
import { CreateModelRecordSchema } from '../../shared/cloudtrail/record.js';
import { decideCreateModel } from '../../shared/decision/decide-create-model.js';
import { tellChannels, type AlertChannel } from '../../shared/enforcement/alert-channels.js';
import { memoryStepLedger, type StepLedger } from '../../shared/enforcement/step-ledger.js';
import { LedgerUnavailableError } from '../../shared/enforcement/errors.js';
import { stepRunner } from '../../shared/enforcement/step-runner.js';
import type { AlertInput } from '../../shared/model/outcome.js';
import { ownRecord } from '../support/fixtures.js';

function alert(): AlertInput {
  const { decision, context } = decideCreateModel(CreateModelRecordSchema.parse(ownRecord('createmodel_absent_terraform.json')), { exemptions: [], now: new Date('2026-11-22T12:00:00Z') });
  return { decision, context, model: null, action: { kind: 'none', status: 'not-needed', detail: 'Alert only.' }, mode: 'alert', dryRun: false, severity: decision.severity };
}

/** A channel that counts what it sends; `failing` while it is set, its send throws. */
function channel(name: AlertChannel['name'], state: { failing?: string } = {}) {
  const sent: unknown[] = [];
  const declared: AlertChannel<{ model: string | null }> = {
    name,
    tells: 'alerts',
    build: (input) => ({ model: input.decision.modelName }),
    send: async (message) => {
      if (state.failing) throw new Error(state.failing);
      sent.push(message);
      return { id: `${name}-${sent.length}` };
    },
  };
  return { declared: declared as AlertChannel, sent, state };
}

describe('the step runner and the alert channels', () => {
  it('returns one result per channel; a failing channel does not stop the others, and its retry sends only it', async () => {
    const ledger = memoryStepLedger();
    const [sns, slack, finding] = [channel('sns'), channel('slack', { failing: 'webhook answered 500' }), channel('finding')];
    const channels = [sns.declared, slack.declared, finding.declared];

    const first = await tellChannels(channels, alert(), stepRunner(ledger, 'ev-1', { unconfirmed: false, waitMs: 0 }));
    expect(first).toEqual([
      { name: 'sns', status: 'sent' },
      { name: 'slack', status: 'failed', failure: 'Error: webhook answered 500' },
      { name: 'finding', status: 'sent' },
    ]);
    expect([sns.sent, finding.sent]).toEqual([[{ model: 'fraud-detector-v7' }], [{ model: 'fraud-detector-v7' }]]);

    // The retry of the event (the next delivery): only what failed is sent again.
    slack.state.failing = undefined;
    const retry = await tellChannels(channels, alert(), stepRunner(ledger, 'ev-1', { unconfirmed: false, waitMs: 0 }));
    expect(retry.map((outcome) => outcome.status)).toEqual(['already-sent', 'sent', 'already-sent']);
    expect([sns.sent.length, slack.sent.length, finding.sent.length]).toEqual([1, 1, 1]);
  });

  it('an unconfirmed alert is a step of its own: the confirmed alert of a retry still goes out', async () => {
    const ledger = memoryStepLedger();
    const sns = channel('sns');
    expect(await tellChannels([sns.declared], alert(), stepRunner(ledger, 'ev-2', { unconfirmed: true, waitMs: 0 }))).toEqual([{ name: 'sns', status: 'sent' }]);
    expect(await tellChannels([sns.declared], alert(), stepRunner(ledger, 'ev-2', { unconfirmed: false, waitMs: 0 }))).toEqual([{ name: 'sns', status: 'sent' }]);
    expect(sns.sent).toHaveLength(2);
  });

  it('the ledger cannot be used: every channel is still told, the result says why, and the ledger is asked only once', async () => {
    let asked = 0;
    const down: StepLedger = {
      once: async () => {
        asked++;
        throw new LedgerUnavailableError('the step-ledger table steps does not exist');
      },
    };
    const runner = stepRunner(down, 'ev-3', { unconfirmed: false, waitMs: 0 });
    const [sns, slack] = [channel('sns'), channel('slack')];
    const first = await tellChannels([sns.declared], alert(), runner);
    const second = await tellChannels([slack.declared], alert(), runner);
    expect(first).toEqual([{ name: 'sns', status: 'sent', ledger: 'the step-ledger table steps does not exist' }]);
    expect(second).toEqual([{ name: 'slack', status: 'sent' }]);
    expect(asked).toBe(1);
  });
});
