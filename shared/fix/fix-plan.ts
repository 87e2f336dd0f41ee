import type { CreateEndpointConfigInput, CreateModelInput, ProductionVariant, UpdateEndpointInput } from '../aws/sagemaker-models.js';
import { fixFor } from '../alerts/alert-text.js';
import type { DescribedModel } from '../model/sagemaker-model.js';
import { CLOUDFORMATION_STACK_TAG, QUARANTINE_TAG, QUARANTINED_AT_TAG, REPLACED_BY_TAG, REPLACES_TAG } from '../model/tags.js';

/**
 * The plan of `isolation-guard fix` (and of the enforce Lambda's `recreate` mode). Pure: what the
 * account holds now goes in, the plan comes out; shared/fix/sagemaker-fix.ts reads the state and
 * makes the calls. Network isolation cannot be turned on for an existing model, so the fix is a new
 * model with isolation, a copy of each endpoint config that serves the old one, and UpdateEndpoint
 * of each endpoint onto its copy. The plan is resumable: a replacement or config copy that a
 * previous run made is used, not made again, and an endpoint already moved is not moved again.
 */

/** SageMaker's names (models, endpoint configs) have at most 63 characters. */
export const NAME_MAX = 63;
const SUFFIX = '-isolated';

/** An endpoint config as DescribeEndpointConfig shows it (without the SDK's `$metadata`). */
export interface EndpointConfigState {
  EndpointConfigName: string;
  ProductionVariants?: ProductionVariant[];
  ShadowProductionVariants?: ProductionVariant[];
  [field: string]: unknown;
}

export interface EndpointState {
  name: string;
  configName: string | null;
  status: string;
}

export interface FixState {
  model: DescribedModel;
  /** Every endpoint config of the region, as DescribeEndpointConfig shows it. */
  configs: EndpointConfigState[];
  /** Every endpoint of the region, with its current config and status. */
  endpoints: EndpointState[];
  /** The model that has the replacement's name, if any (a previous run's, or someone else's). */
  replacement: DescribedModel | null;
}

export interface FixOptions {
  /** Tag keys of models that infrastructure as code manages (besides CloudFormation's own). */
  iacTagKeys: readonly string[];
  /** Fix an IaC-managed model anyway (its stack or state then drifts). */
  force: boolean;
  deleteOld: boolean;
  /** CloudWatch alarms that roll an endpoint's blue/green update back. Empty: no deployment config. */
  rollbackAlarms: readonly string[];
}

export interface EndpointMove {
  endpoint: string;
  status: string;
  fromConfig: string;
  toConfig: string;
  /** Null when the copy exists already (a previous run made it). */
  createConfig: CreateEndpointConfigInput | null;
  /** Null when the endpoint is already on the copy (a previous run moved it): only waited for. */
  update: UpdateEndpointInput | null;
}

/** One step of a ready plan: what it does, and its words. */
export type FixStep = { text: string } & (
  | { kind: 'create-model'; input: CreateModelInput | null }
  | { kind: 'create-config'; input: CreateEndpointConfigInput; config: string }
  | { kind: 'move'; move: EndpointMove }
  | { kind: 'mark-replaced' }
  | { kind: 'delete-config'; name: string }
  | { kind: 'delete-model'; name: string }
);

export type FixPlan =
  | { status: 'already-isolated'; model: DescribedModel; steps: FixStep[]; warnings: string[] }
  | { status: 'refused'; model: DescribedModel; reason: string; templateChange: string; steps: FixStep[]; warnings: string[] }
  | { status: 'conflict'; model: DescribedModel; reason: string; steps: FixStep[]; warnings: string[] }
  | {
      status: 'ready';
      model: DescribedModel;
      newModelName: string;
      /** Null when the replacement exists already. */
      createModel: CreateModelInput | null;
      /** Every endpoint config naming the old model (production or shadow variant). */
      configsNamingModel: string[];
      moves: EndpointMove[];
      /** The tag on the old model once every endpoint moved; null when the old model is to be deleted. */
      markReplaced: { key: string; value: string };
      deleteOld: { model: string; configs: string[] } | null;
      steps: FixStep[];
      warnings: string[];
    };

/** `NAME-isolated`, cut to fit 63 characters (a cut never leaves a trailing hyphen). */
export function isolatedName(name: string): string {
  const room = NAME_MAX - SUFFIX.length;
  return `${name.slice(0, room).replace(/-+$/, '')}${SUFFIX}`;
}

const namesModel = (config: EndpointConfigState, model: string) =>
  [...(config.ProductionVariants ?? []), ...(config.ShadowProductionVariants ?? [])].some((variant) => variant.ModelName === model);

/** Fields of DescribeModel's output that CreateModel takes as they are. */
const MODEL_FIELDS = ['PrimaryContainer', 'Containers', 'InferenceExecutionConfig', 'ExecutionRoleArn', 'VpcConfig'] as const;
/** Fields of DescribeEndpointConfig's output that CreateEndpointConfig takes as they are. */
const CONFIG_FIELDS = [
  'DataCaptureConfig',
  'KmsKeyId',
  'AsyncInferenceConfig',
  'ExplainerConfig',
  'ExecutionRoleArn',
  'VpcConfig',
  'EnableNetworkIsolation',
] as const;

/** A field DescribeModel or DescribeEndpointConfig gave a value: not absent, null, `[]` or `{}` (CreateModel refuses Containers beside PrimaryContainer, an empty VpcConfig). */
const given = (value: unknown): boolean =>
  value !== undefined && value !== null && !(Array.isArray(value) && value.length === 0) && !(typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0);

/** Tags the replacement does not take: AWS's own (not settable) and the quarantine of the old model. */
const copiedTag = (key: string) => !key.startsWith('aws:') && key !== QUARANTINE_TAG && key !== QUARANTINED_AT_TAG && key !== REPLACED_BY_TAG && key !== REPLACES_TAG;

/** Environment that suggests the container fetches something at start (a model hub, a URL, a licence server). */
const NETWORK_KEY = /(^HF_|HUGGING|HUB|MODEL_ID$|LICEN[CS]E|_URL$|_URI$|ENDPOINT)/i;
const NETWORK_VALUE = /^(https?|ftp|s3):\/\//i;

function networkWarnings(model: DescribedModel): string[] {
  const containers = [model.raw.PrimaryContainer, ...((model.raw.Containers as unknown[] | undefined) ?? [])].filter(Boolean) as Array<{
    Environment?: Record<string, string>;
  }>;
  const named = new Set<string>();
  for (const container of containers) {
    for (const [key, value] of Object.entries(container.Environment ?? {})) {
      if (NETWORK_KEY.test(key) || NETWORK_VALUE.test(value)) named.add(key);
    }
  }
  if (named.size === 0) return [];
  return [
    `The model's environment names a hub or URL (${[...named].sort().join(', ')}): a container that downloads at start ` +
      '(a model hub, a licence server) fails under network isolation, and the endpoint then rolls back or stays on its old config. ' +
      'Put what it fetches in the model data (ModelDataUrl) first.',
  ];
}

/** Which tool manages the model, from its tags: the change to make in the template instead. */
function managedBy(model: DescribedModel, iacTagKeys: readonly string[]): { reason: string; templateChange: string } | null {
  const stack = model.tags[CLOUDFORMATION_STACK_TAG];
  if (stack !== undefined) {
    return { reason: `CloudFormation stack ${stack} manages this model (tag ${CLOUDFORMATION_STACK_TAG})`, templateChange: fixFor('cloudformation') };
  }
  const key = iacTagKeys.find((candidate) => candidate in model.tags);
  if (key === undefined) return null;
  const tool = /terraform|tf[-_:]/i.test(`${key}=${model.tags[key]}`) ? 'terraform' : /cloudformation|cdk/i.test(key) ? 'cloudformation' : null;
  return {
    reason: `the tag ${key} says infrastructure as code manages this model`,
    templateChange: tool ? fixFor(tool) : 'In the template that defines it, set network isolation on (Terraform: `enable_network_isolation = true` on the `aws_sagemaker_model`; CloudFormation: `EnableNetworkIsolation: true` on the `AWS::SageMaker::Model`) and deploy.',
  };
}

/** The config copy: identical, but every variant naming the old model names the new one. */
function configCopy(config: EndpointConfigState, oldName: string, newName: string, copyName: string): CreateEndpointConfigInput {
  const swap = (variants: ProductionVariant[] | undefined) =>
    variants?.map((variant) => (variant.ModelName === oldName ? { ...variant, ModelName: newName } : variant));
  const input: Record<string, unknown> = { EndpointConfigName: copyName, ProductionVariants: swap(config.ProductionVariants) ?? [] };
  const shadow = swap(config.ShadowProductionVariants);
  if (shadow && shadow.length > 0) input.ShadowProductionVariants = shadow;
  for (const field of CONFIG_FIELDS) if (given(config[field])) input[field] = config[field];
  input.Tags = [{ Key: REPLACES_TAG, Value: config.EndpointConfigName }];
  return input as unknown as CreateEndpointConfigInput;
}

/** The plan for one model. */
export function planFix(state: FixState, options: FixOptions): FixPlan {
  const { model } = state;
  const warnings: string[] = [];
  if (model.enableNetworkIsolation === true) {
    return { status: 'already-isolated', model, steps: [], warnings: [`${model.name} already has network isolation: nothing to do.`] };
  }
  const managed = managedBy(model, options.iacTagKeys);
  if (managed && !options.force) {
    return {
      status: 'refused',
      model,
      reason: `Not fixed: ${managed.reason}; a model made here would drift from it, and the next deployment would bring the old one back. Change the template instead (or run again with --force).`,
      templateChange: managed.templateChange,
      steps: [],
      warnings,
    };
  }
  if (managed) warnings.push(`--force: ${managed.reason}; fix its template too, or the next deployment brings the old model back. ${managed.templateChange}`);
  warnings.push(...networkWarnings(model));

  const newModelName = isolatedName(model.name);
  const { replacement } = state;
  if (replacement && !(replacement.enableNetworkIsolation === true && replacement.tags[REPLACES_TAG] === model.name)) {
    return {
      status: 'conflict',
      model,
      reason: `A model named ${newModelName} exists already and is not an isolated replacement of ${model.name} (no tag ${REPLACES_TAG}=${model.name}): rename or delete it, then run again.`,
      steps: [],
      warnings,
    };
  }
  const tags = Object.entries(model.tags)
    .filter(([key]) => copiedTag(key))
    .map(([Key, Value]) => ({ Key, Value }));
  const createModel: CreateModelInput | null = replacement
    ? null
    : ({
        ModelName: newModelName,
        ...Object.fromEntries(MODEL_FIELDS.filter((field) => given(model.raw[field])).map((field) => [field, model.raw[field]])),
        EnableNetworkIsolation: true,
        Tags: [...tags, { Key: REPLACES_TAG, Value: model.name }],
      } as CreateModelInput);

  const configsNamingModel = state.configs.filter((config) => namesModel(config, model.name)).map((config) => config.EndpointConfigName).sort();
  const byName = new Map(state.configs.map((config) => [config.EndpointConfigName, config]));
  const deploymentConfig =
    options.rollbackAlarms.length > 0
      ? {
          DeploymentConfig: {
            BlueGreenUpdatePolicy: { TrafficRoutingConfiguration: { Type: 'ALL_AT_ONCE' as const, WaitIntervalInSeconds: 0 }, TerminationWaitInSeconds: 300 },
            AutoRollbackConfiguration: { Alarms: options.rollbackAlarms.map((AlarmName) => ({ AlarmName })) },
          },
        }
      : {};
  const moves: EndpointMove[] = [];
  for (const endpoint of [...state.endpoints].sort((a, b) => a.name.localeCompare(b.name))) {
    const config = endpoint.configName ? byName.get(endpoint.configName) : undefined;
    if (!config) continue;
    if (namesModel(config, model.name)) {
      const toConfig = isolatedName(config.EndpointConfigName);
      const existing = byName.get(toConfig);
      if (existing && !namesModel(existing, newModelName)) {
        return {
          status: 'conflict',
          model,
          reason: `An endpoint config named ${toConfig} exists already and does not serve ${newModelName}: rename or delete it, then run again.`,
          steps: [],
          warnings,
        };
      }
      if (endpoint.status !== 'InService') warnings.push(`Endpoint ${endpoint.name} is ${endpoint.status}, not InService: UpdateEndpoint will be refused until it is.`);
      moves.push({
        endpoint: endpoint.name,
        status: endpoint.status,
        fromConfig: config.EndpointConfigName,
        toConfig,
        createConfig: existing ? null : configCopy(config, model.name, newModelName, toConfig),
        update: { EndpointName: endpoint.name, EndpointConfigName: toConfig, RetainAllVariantProperties: true, ...deploymentConfig },
      });
    } else if (replacement && namesModel(config, newModelName) && endpoint.status !== 'InService') {
      // Moved by a previous run and still deploying: waited for, not moved again.
      moves.push({ endpoint: endpoint.name, status: endpoint.status, fromConfig: config.EndpointConfigName, toConfig: config.EndpointConfigName, createConfig: null, update: null });
    }
  }
  // Copies shared by endpoints on one config are made once.
  const made = new Set<string>();
  for (const move of moves) {
    if (move.createConfig && made.has(move.toConfig)) move.createConfig = null;
    made.add(move.toConfig);
  }
  const stillUsed = new Set(state.endpoints.filter((e) => !moves.some((m) => m.endpoint === e.name)).map((e) => e.configName));
  const deleteOld = options.deleteOld ? { model: model.name, configs: configsNamingModel.filter((name) => !stillUsed.has(name)) } : null;

  const how = options.rollbackAlarms.length > 0 ? `RetainAllVariantProperties, blue/green with auto-rollback on ${options.rollbackAlarms.join(', ')}` : 'RetainAllVariantProperties';
  const steps: FixStep[] = [
    createModel
      ? {
          kind: 'create-model',
          input: createModel,
          text: `CreateModel ${newModelName}: EnableNetworkIsolation=true; containers, execution role, VPC config and ${tags.length} tag(s) of ${model.name}, plus ${REPLACES_TAG}=${model.name}`,
        }
      : { kind: 'create-model', input: null, text: `Use ${newModelName}, the isolated replacement a previous run created` },
    ...moves.flatMap((move): FixStep[] =>
      move.createConfig ? [{ kind: 'create-config', input: move.createConfig, config: move.toConfig, text: `CreateEndpointConfig ${move.toConfig}: a copy of ${move.fromConfig} naming ${newModelName}` }] : [],
    ),
    ...moves.map(
      (move): FixStep => ({
        kind: 'move',
        move,
        text: move.update
          ? `UpdateEndpoint ${move.endpoint}: ${move.fromConfig} -> ${move.toConfig} (${how}); wait until InService`
          : `Wait until ${move.endpoint} (${move.status}, already on ${move.toConfig}) is InService`,
      }),
    ),
    { kind: 'mark-replaced', text: `AddTags ${model.name}: ${REPLACED_BY_TAG}=${newModelName}, once every endpoint serves it` },
    ...(deleteOld
      ? [
          ...deleteOld.configs.map((name): FixStep => ({ kind: 'delete-config', name, text: `DeleteEndpointConfig ${name}: no endpoint uses it any more` })),
          { kind: 'delete-model', name: model.name, text: `DeleteModel ${model.name}` } as FixStep,
        ]
      : []),
  ];
  if (moves.length === 0) warnings.push(`No endpoint serves ${model.name}: only the replacement is created.`);
  return { status: 'ready', model, newModelName, createModel, configsNamingModel, moves, markReplaced: { key: REPLACED_BY_TAG, value: newModelName }, deleteOld, steps, warnings };
}
