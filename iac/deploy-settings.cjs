// Resolved by serverless at package time (`${file(./iac/deploy-settings.cjs):NAME}`): stage
// parameters turned into what the template needs, and refused with a message naming the parameter
// when CloudFormation or IAM would refuse them later (or, worse, accept something else).
// docs/organisation-scale.md, "Checked against AWS's rules".

/** IAM's limit on a role name (CreateRole: RoleName, 1 to 64 characters). */
const IAM_ROLE_NAME_LIMIT = 64;
const SERVICE = 'sagemaker-isolation-guard';
/** The functions' roles, by the suffix of their fixed names. */
const ROLE_SUFFIXES = { enforce: 'enforce', sweep: 'sweep', history: 'history', sweepPlanner: 'planner', sweepWorker: 'worker' };

const text = async (resolveVariable, name) => {
  const value = await resolveVariable(name);
  return typeof value === 'string' ? value.trim() : value === undefined || value === null ? '' : String(value);
};

/** `<service>-<stage>-<region>-<function>`, or an error naming the limit when IAM would refuse it. */
async function roleName(resolveVariable, key) {
  const stage = await text(resolveVariable, 'sls:stage');
  const region = await text(resolveVariable, 'aws:region');
  const name = `${SERVICE}-${stage}-${region}-${ROLE_SUFFIXES[key]}`;
  if (name.length > IAM_ROLE_NAME_LIMIT) {
    // The room every role's name leaves the stage in this region (the longest suffix decides).
    const longest = Math.max(...Object.values(ROLE_SUFFIXES).map((suffix) => suffix.length));
    const room = IAM_ROLE_NAME_LIMIT - `${SERVICE}--${region}-`.length - longest;
    throw new Error(
      `stage "${stage}" in ${region}: the role name ${name} is ${name.length} characters and IAM allows ${IAM_ROLE_NAME_LIMIT}; use a stage of at most ${room} characters in ${region}`,
    );
  }
  return name;
}
for (const key of Object.keys(ROLE_SUFFIXES)) {
  module.exports[`${key}RoleName`] = ({ resolveVariable }) => roleName(resolveVariable, key);
}

/**
 * The evidence bucket's Object Lock: retained by default (`governance`), `compliance` when asked,
 * `off` to opt out; any other value is refused here. `evidenceLock` is on/off (the condition);
 * `evidenceLockMode` is always a mode AWS has (GOVERNANCE when off: the branch is unused, and a
 * template never carries an invalid value, which cfn-lint reports as E3030).
 */
async function evidenceLock(resolveVariable) {
  const value = (await text(resolveVariable, 'param:evidenceObjectLock')).toLowerCase();
  if (value === 'governance') return { on: true, mode: 'GOVERNANCE' };
  if (value === 'compliance') return { on: true, mode: 'COMPLIANCE' };
  if (value === 'off' || value === 'none' || value === 'false') return { on: false, mode: 'GOVERNANCE' };
  throw new Error(`param evidenceObjectLock: "${value}" is not one of governance (the default), compliance, off`);
}
module.exports.evidenceLock = async ({ resolveVariable }) => ((await evidenceLock(resolveVariable)).on ? 'on' : 'off');
module.exports.evidenceLockMode = async ({ resolveVariable }) => (await evidenceLock(resolveVariable)).mode;

module.exports.evidenceLockDays = async ({ resolveVariable }) => {
  const value = await text(resolveVariable, 'param:evidenceObjectLockDays');
  if (!/^[1-9]\d{0,4}$/.test(value) || Number(value) > 36500) {
    throw new Error(`param evidenceObjectLockDays: "${value}" is not a whole number of days from 1 to 36500`);
  }
  return value;
};

/**
 * What the history function reads, from `auditSource` alone: `lookup`, `s3://BUCKET/PREFIX` (the
 * trail's archive: its bucket is granted, `trailBucket` not needed), `athena:DATABASE.TABLE` (Athena
 * in `athenaWorkgroup`, `primary` when unset, as the code falls back to; Athena reads the trail with
 * the function's own permissions, so the table's bucket, `trailBucket`, is required).
 */
async function auditSource(resolveVariable) {
  const source = await text(resolveVariable, 'param:auditSource');
  const trailBucket = await text(resolveVariable, 'param:trailBucket');
  const workgroup = await text(resolveVariable, 'param:athenaWorkgroup');
  if (source === '' || source === 'lookup') return { kind: 'lookup', trailBucket, workgroup: '', database: '', table: '' };
  const s3 = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(\/.*)?$/.exec(source);
  if (s3) {
    if (trailBucket !== '' && trailBucket !== s3[1]) throw new Error(`param trailBucket: "${trailBucket}" is not the bucket of auditSource ${source}`);
    return { kind: 's3', trailBucket: s3[1], workgroup: '', database: '', table: '' };
  }
  if (/^evidence:/.test(source)) return { kind: 'evidence', trailBucket, workgroup: '', database: '', table: '' };
  const athena = /^athena:([a-z_][a-z0-9_]*)\.([a-z_][a-z0-9_]*)$/.exec(source);
  if (athena) {
    if (trailBucket === '') {
      throw new Error(`param trailBucket: required with auditSource=${source} (Athena reads the trail's bucket with the history function's permissions)`);
    }
    return { kind: 'athena', trailBucket, workgroup: workgroup || 'primary', database: athena[1], table: athena[2] };
  }
  throw new Error(`param auditSource: "${source}" is not lookup, s3://BUCKET[/PREFIX], athena:DATABASE.TABLE or evidence:BUCKET`);
}
for (const key of ['kind', 'trailBucket', 'workgroup', 'database', 'table']) {
  module.exports[`audit${key[0].toUpperCase()}${key.slice(1)}`] = async ({ resolveVariable }) => (await auditSource(resolveVariable))[key];
}
