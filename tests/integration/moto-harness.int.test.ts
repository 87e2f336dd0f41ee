import {
  AddTagsCommand,
  CreateModelCommand,
  DeleteModelCommand,
  DescribeModelCommand,
  ListTagsCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsClientConfig, MOTO_ACCOUNT, startMoto, type MotoServer } from '../support/moto.js';

let moto: MotoServer;
let sagemaker: SageMakerClient;
const model = (ModelName: string, EnableNetworkIsolation?: boolean) =>
  new CreateModelCommand({
    ModelName,
    ExecutionRoleArn: `arn:aws:iam::${MOTO_ACCOUNT}:role/SageMakerExecution`,
    PrimaryContainer: { Image: '763104351884.dkr.ecr.eu-west-1.amazonaws.com/pytorch-inference:2.3-cpu-py311' },
    ...(EnableNetworkIsolation === undefined ? {} : { EnableNetworkIsolation }),
  });

beforeAll(async () => {
  moto = await startMoto();
  sagemaker = new SageMakerClient(awsClientConfig(moto.endpoint, 'eu-west-1'));
});
afterAll(async () => {
  sagemaker?.destroy();
  await moto?.stop();
});

describe('the moto harness', () => {
  it('creates a model with the real SDK, reads it back, deletes it', async () => {
    const created = await sagemaker.send(model('harness-model'));
    expect(created.ModelArn).toBe(`arn:aws:sagemaker:eu-west-1:${MOTO_ACCOUNT}:model/harness-model`);
    const described = await sagemaker.send(new DescribeModelCommand({ ModelName: 'harness-model' }));
    expect(described.ModelName).toBe('harness-model');
    expect(described.PrimaryContainer?.Image).toMatch(/pytorch-inference/);
    await sagemaker.send(new DeleteModelCommand({ ModelName: 'harness-model' }));
    await expect(sagemaker.send(new DescribeModelCommand({ ModelName: 'harness-model' }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });

  it('keeps EnableNetworkIsolation from CreateModel (patch 1)', async () => {
    await sagemaker.send(model('isolated', true));
    await sagemaker.send(model('not-isolated', false));
    await sagemaker.send(model('omitted'));
    const isolation = async (ModelName: string) =>
      (await sagemaker.send(new DescribeModelCommand({ ModelName }))).EnableNetworkIsolation;
    expect(await isolation('isolated')).toBe(true);
    expect(await isolation('not-isolated')).toBe(false);
    expect(await isolation('omitted')).toBe(false);
  });

  it('answers AddTags on a missing model with a 400 ValidationException, as AWS does (patch 2)', async () => {
    const error = await sagemaker
      .send(new AddTagsCommand({ ResourceArn: `arn:aws:sagemaker:eu-west-1:${MOTO_ACCOUNT}:model/ghost`, Tags: [{ Key: 'k', Value: 'v' }] }))
      .then(() => expect.unreachable('AddTags on a missing model succeeded'))
      .catch((e: unknown) => e as { name: string; $metadata: { httpStatusCode: number }; message: string });
    expect(error).toMatchObject({ name: 'ValidationException', $metadata: { httpStatusCode: 400 } });
    expect(error.message).toMatch(/Could not find model/);
  });

  it('finds a model by its lower-cased ARN and overwrites a tag key instead of repeating it (patches 2 and 3)', async () => {
    const { ModelArn } = await sagemaker.send(model('MixedCase-Model'));
    const arn = ModelArn!.replace('MixedCase-Model', 'mixedcase-model');
    await sagemaker.send(new AddTagsCommand({ ResourceArn: arn, Tags: [{ Key: 'k', Value: 'one' }] }));
    await sagemaker.send(new AddTagsCommand({ ResourceArn: arn, Tags: [{ Key: 'k', Value: 'two' }] }));
    const { Tags } = await sagemaker.send(new ListTagsCommand({ ResourceArn: arn }));
    expect(Tags).toEqual([{ Key: 'k', Value: 'two' }]);
  });

  it('resets to an empty account', async () => {
    await sagemaker.send(model('before-reset'));
    await moto.reset();
    await expect(sagemaker.send(new DescribeModelCommand({ ModelName: 'before-reset' }))).rejects.toMatchObject({ name: 'ValidationException' });
  });
});
