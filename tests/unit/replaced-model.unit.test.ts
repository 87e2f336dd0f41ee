import { describe, expect, it } from 'vitest';
import { REPLACEMENT_MARGIN_MS, replacedSince } from '../../shared/decision/confirm.js';
import type { SageMakerModel } from '../../shared/model/sagemaker-model.js';
import { describedModel } from '../support/fixtures.js';

const EVENT = '2026-11-29T10:00:00Z';
const model = (creationTime: string | null, exists = true): SageMakerModel =>
  exists ? describedModel({ enableNetworkIsolation: true, creationTime }) : { exists: false, name: 'fraud-detector-v7', region: 'eu-west-1' };
const after = (ms: number) => new Date(Date.parse(EVENT) + ms).toISOString();

describe('a model created after its CreateModel event is another model', () => {
  it('is told apart once it was created more than the margin after the event', () => {
    expect(replacedSince(EVENT, model(after(REPLACEMENT_MARGIN_MS + 1000)))).toMatch(/the model this call created is gone, and a different one now has its name \(EnableNetworkIsolation true\)/);
    expect(replacedSince(EVENT, model(after(3_600_000)))).toMatch(/created at 2026-11-29T11:00:00.000Z, after this call \(2026-11-29T10:00:00Z\)/);
  });

  it('is the event\'s model when created with the event, within the margin, or before it', () => {
    expect(replacedSince(EVENT, model(after(2_000)))).toBeNull();
    expect(replacedSince(EVENT, model(after(REPLACEMENT_MARGIN_MS)))).toBeNull();
    expect(replacedSince(EVENT, model(after(-5_000)))).toBeNull();
  });

  it('says nothing when it cannot tell (model gone, no creation time, unreadable times)', () => {
    expect(replacedSince(EVENT, model(after(3_600_000), false))).toBeNull();
    expect(replacedSince(EVENT, model(null))).toBeNull();
    expect(replacedSince('not a time', model(after(3_600_000)))).toBeNull();
  });
});
