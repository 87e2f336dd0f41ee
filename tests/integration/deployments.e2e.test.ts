import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../shared/config.js';
import { cfnLint, type CfnLintMatch } from '../support/cfn-lint.js';
import { disposePackagedServices, packageService, REPO_ROOT, type CfnTemplate, type PackagedService } from '../../local-aws/packaged-template.js';

/**
 * The deployments the README and docs/organisation-scale.md show, packaged as written (every
 * `serverless deploy` command, and every code span of `--param=` settings), must be deployable on
 * AWS's rules, not only on moto's: cfn-lint (AWS's resource specifications) finds no error in their
 * templates, every role name fits IAM's 64 characters, and each function's environment is a
 * configuration the code accepts.
 */
interface Deployment {
  where: string;
  stage: string;
  region: string;
  params: Record<string, string>;
}

const DOCUMENTS = ['README.md', 'docs/organisation-scale.md'];

function paramsOf(text: string): Record<string, string> {
  return Object.fromEntries([...text.matchAll(/--param="([^"=]+)=([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
}

/** Every documented deployment: `serverless deploy` commands (continuation lines joined) and `--param=` code spans. */
export function documentedDeployments(): Deployment[] {
  const found: Deployment[] = [];
  for (const document of DOCUMENTS) {
    const text = readFileSync(join(REPO_ROOT, document), 'utf8');
    const fenced = [...text.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
    for (const block of fenced) {
      for (const command of block.replace(/\\\n\s*/g, ' ').split('\n')) {
        if (!/serverless deploy/.test(command)) continue;
        found.push({
          where: `${document}: ${command.trim().slice(0, 90)}`,
          stage: /--stage (\S+)/.exec(command)?.[1] ?? 'dev',
          region: /--region (\S+)/.exec(command)?.[1] ?? 'us-east-1',
          params: paramsOf(command),
        });
      }
    }
    const prose = text.replace(/```[\s\S]*?```/g, '');
    for (const span of prose.matchAll(/`([^`\n]*--param="[^`\n]*)`/g)) {
      // The syntax's own example (`--param="name=value"`) is no deployment.
      if ('name' in paramsOf(span[1]!)) continue;
      found.push({ where: `${document}: ${span[1]!.slice(0, 90)}`, stage: 'dev', region: 'us-east-1', params: paramsOf(span[1]!) });
    }
  }
  return found;
}

const deployments = documentedDeployments();
const packaged = new Map<string, PackagedService>();
const key = (d: Deployment) => JSON.stringify([d.stage, d.region, d.params]);

/** cfn-lint's findings over every packaged template, from one run (its start-up costs seconds). */
let findings: CfnLintMatch[] = [];
const TEMPLATES = ['cloudformation-template-create-stack.json', 'cloudformation-template-update-stack.json'];

beforeAll(async () => {
  for (const deployment of deployments) {
    if (!packaged.has(key(deployment))) packaged.set(key(deployment), await packageService({ stage: deployment.stage, region: deployment.region, params: deployment.params }));
  }
  const regions = [...new Set(deployments.map((d) => d.region))];
  findings = await cfnLint([...packaged.values()].flatMap(({ dir }) => TEMPLATES.map((file) => join(dir, file))), regions);
}, 600_000);
afterAll(() => disposePackagedServices());

const roleNames = (template: CfnTemplate) =>
  Object.values(template.Resources)
    .filter((r) => r.Type === 'AWS::IAM::Role')
    .map((r) => r.Properties?.RoleName as string);

/** The template's value with Ref/GetAtt of resources replaced by placeholders (what the Lambda receives is a string). */
const environmentOf = (template: CfnTemplate, fn: string): Record<string, string> => {
  const variables = Object.values(template.Resources).find((r) => r.Type === 'AWS::Lambda::Function' && String(r.Properties?.Handler).includes(`${fn}.handler`))!.Properties!.Environment.Variables;
  return Object.fromEntries(
    Object.entries(variables as Record<string, unknown>).map(([name, value]) => [
      name,
      typeof value === 'string' ? value : name.endsWith('_ARN') ? 'arn:aws:sns:us-east-1:123456789012:alerts' : name.endsWith('_LOCATION') ? 's3://evidence/athena-results/' : 'placeholder',
    ]),
  );
};

describe('the documented deployments deploy as written', () => {
  it('finds the deployments the README and docs show (single account, organisation with Security Hub, exemptions, archive, Athena, fan-out)', () => {
    const params = deployments.map((d) => d.params);
    expect(params).toContainEqual(expect.objectContaining({ organizationId: expect.any(String), memberRoleName: expect.any(String), securityHub: 'true' }));
    expect(params).toContainEqual(expect.objectContaining({ auditSource: expect.stringMatching(/^athena:/) }));
    expect(params).toContainEqual(expect.objectContaining({ auditSource: expect.stringMatching(/^s3:/) }));
    expect(params).toContainEqual(expect.objectContaining({ sweepTopology: 'fanout' }));
    expect(params).toContainEqual(expect.objectContaining({ mode: 'quarantine' }));
  });

  it.each(deployments.map((d) => [d.where, d] as const))('cfn-lint finds no error: %s', (_where, deployment) => {
    const { dir } = packaged.get(key(deployment))!;
    const files = TEMPLATES.map((file) => join(dir, file));
    const errors = findings
      .filter((m) => m.Level === 'Error' && files.includes(m.Filename))
      .map((m) => `${m.Rule.Id} ${m.Message} (${m.Filename.split('/').pop()}:${m.Location?.Start?.LineNumber})`);
    expect(errors).toEqual([]);
  });

  it('cfn-lint ran over every packaged template (a finding of any level names one of them)', () => {
    // The linter's warnings (W8003: a condition on a stage parameter's packaged value) show it read the files.
    const linted = new Set(findings.map((m) => m.Filename));
    for (const { dir } of packaged.values()) expect(linted, dir).toContain(join(dir, TEMPLATES[1]!));
  });

  it.each(deployments.map((d) => [d.where, d] as const))('role names fit IAM, and every function starts with its environment: %s', (_where, deployment) => {
    const { template } = packaged.get(key(deployment))!;
    const names = roleNames(template);
    expect(names).toHaveLength(5);
    for (const name of names) expect(name.length, name).toBeLessThanOrEqual(64);
    for (const fn of ['enforce', 'sweep', 'history', 'sweep-planner', 'sweep-worker']) {
      expect(() => loadConfig({ env: environmentOf(template, fn) }), fn).not.toThrow();
    }
    // No secret in any function's environment: the external id is named, never given.
    expect(JSON.stringify(template)).not.toMatch(/ISOLATION_GUARD_EXTERNAL_ID"/);
  });
});

describe('the organisation deployment as the README shows it', () => {
  it('gives every function that reaches member accounts (enforce, sweep, workers, history) the member role and the external id\'s parameter, and its role both grants', () => {
    const org = deployments.find((d) => d.params.memberRoleName)!;
    const { template } = packaged.get(key(org))!;
    for (const [fn, roleId] of [['enforce', 'EnforceRole'], ['sweep', 'SweepRole'], ['sweep-worker', 'SweepWorkerRole'], ['history', 'HistoryRole']] as const) {
      const env = environmentOf(template, fn);
      expect(env.ISOLATION_GUARD_MEMBER_ROLE_NAME, fn).toBe(org.params.memberRoleName);
      expect(env.ISOLATION_GUARD_EXTERNAL_ID_PARAMETER, fn).toBe(org.params.externalIdParameter);
      const sids = JSON.stringify(template.Resources[roleId]!.Properties!.Policies);
      expect(sids, roleId).toContain('"Sid":"AssumeMemberRole"');
      expect(sids, roleId).toContain('"Sid":"ReadExternalId"');
    }
    expect(template.Outputs?.MemberTrustedRoleArns).toBeDefined();
  });
});

describe('packaging refuses what AWS would refuse, naming the limit', () => {
  it('a stage whose role names would pass IAM\'s 64 characters; `production` in ap-southeast-1 fits', async () => {
    const long = packageService({ stage: 'production-blue-green', region: 'ap-southeast-1' });
    await expect(long).rejects.toThrow(/is 6\d characters and IAM allows 64; use a stage of at most 15 characters in ap-southeast-1/);
    const production = await packageService({ stage: 'production', region: 'ap-southeast-1' });
    for (const name of roleNames(production.template)) expect(name.length, name).toBeLessThanOrEqual(64);
    expect(roleNames(production.template)).toContain('sagemaker-isolation-guard-production-ap-southeast-1-planner');
    const lint = await cfnLint(TEMPLATES.map((file) => join(production.dir, file)), ['ap-southeast-1']);
    expect(lint.filter((m) => m.Level === 'Error').map((m) => `${m.Rule.Id} ${m.Message}`)).toEqual([]);
  }, 180_000);

  it('an Athena source without the trail bucket Athena must read, and an Object Lock mode AWS does not have', async () => {
    await expect(packageService({ stage: 'athena-nobucket', params: { auditSource: 'athena:security.cloudtrail_org' } })).rejects.toThrow(
      /param trailBucket: required with auditSource=athena:security.cloudtrail_org/,
    );
    await expect(packageService({ stage: 'badlock', params: { evidenceObjectLock: 'legal-hold' } })).rejects.toThrow(
      /param evidenceObjectLock: "legal-hold" is not one of governance \(the default\), compliance, off/,
    );
  }, 180_000);
});
