import { describe, expect, it } from 'vitest';
import { eventFromDeadLetter } from '../../shared/dlq/dead-letter.js';
import { memoryStepLedger } from '../../shared/enforcement/step-ledger.js';
import { InputParseError, RecordValidationError } from '../../shared/errors.js';
import { StepInProgressError } from '../../shared/enforcement/errors.js';

describe('memoryStepLedger', () => {
  it('runs a step once per event and replays its stored result', async () => {
    const ledger = memoryStepLedger();
    let runs = 0;
    const effect = async () => ({ run: ++runs });
    expect(await ledger.once('e1', 'sns', effect)).toEqual({ replayed: false, value: { run: 1 } });
    expect(await ledger.once('e1', 'sns', effect)).toEqual({ replayed: true, value: { run: 1 } });
    expect(await ledger.once('e1', 'slack', effect)).toEqual({ replayed: false, value: { run: 2 } });
    expect(await ledger.once('e2', 'sns', effect)).toEqual({ replayed: false, value: { run: 3 } });
  });

  it('runs a failed step again on the next delivery', async () => {
    const ledger = memoryStepLedger();
    await expect(ledger.once('e1', 'slack', async () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await ledger.once('e1', 'slack', async () => ({ ok: true }))).toEqual({ replayed: false, value: { ok: true } });
  });

  it('refuses a step that another delivery is running', async () => {
    const ledger = memoryStepLedger();
    let release!: () => void;
    const slow = ledger.once('e1', 'action', () => new Promise<object>((resolve) => (release = () => resolve({}))));
    await expect(ledger.once('e1', 'action', async () => ({}))).rejects.toBeInstanceOf(StepInProgressError);
    release();
    await slow;
  });
});

describe('eventFromDeadLetter', () => {
  const event = { id: 'e', 'detail-type': 'AWS API Call via CloudTrail', detail: { eventName: 'CreateModel' } };

  it("unwraps Lambda's on-failure destination record", () => {
    const record = {
      version: '1.0',
      timestamp: '2026-11-22T10:00:00.000Z',
      requestContext: { requestId: 'r', functionArn: 'arn:aws:lambda:eu-west-1:1:function:f', condition: 'RetriesExhausted', approximateInvokeCount: 3 },
      requestPayload: event,
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: { errorType: 'EnforcementIncompleteError', errorMessage: 'x' },
    };
    expect(eventFromDeadLetter(JSON.stringify(record))).toEqual(event);
  });

  it("takes the rule target's dead letter as the event itself", () => {
    expect(eventFromDeadLetter(JSON.stringify(event))).toEqual(event);
  });

  it('rejects a body that is not JSON with a typed error', () => {
    expect(() => eventFromDeadLetter('not json')).toThrow(InputParseError);
  });

  it('rejects a destination record whose requestPayload is not an event object, naming the field', () => {
    const body = JSON.stringify({ requestContext: { requestId: 'r', condition: 'RetriesExhausted' }, requestPayload: 'oops' });
    expect(() => eventFromDeadLetter(body)).toThrow(RecordValidationError);
    expect(() => eventFromDeadLetter(body)).toThrow(/^body\.requestPayload: /);
  });

  it('rejects a body that is JSON but not an object, naming the body', () => {
    expect(() => eventFromDeadLetter('[1,2]')).toThrow(/^body: /);
  });
});
