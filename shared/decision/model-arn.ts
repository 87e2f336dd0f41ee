/** SageMaker model ARNs: `arn:PARTITION:sagemaker:REGION:ACCOUNT:model/NAME` (NAME is lower-cased by SageMaker). */
const MODEL_ARN = /arn:(aws[a-z-]*):sagemaker:([a-z0-9-]+):(\d{12}):model\/([A-Za-z0-9-]{1,63})/;

export interface ModelArnParts {
  arn: string;
  partition: string;
  region: string;
  account: string;
  modelName: string;
}

/** The first model ARN in a text (an ARN itself, or an AccessDenied message that names one). */
export function findModelArn(text: string | null | undefined): ModelArnParts | null {
  if (!text) return null;
  const match = MODEL_ARN.exec(text);
  if (!match) return null;
  const [arn, partition, region, account, modelName] = match as unknown as [string, string, string, string, string];
  return { arn, partition, region, account, modelName };
}
