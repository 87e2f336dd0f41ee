// Resolved by serverless at package time: 'true' when a data class in the `classes` stage
// parameter sets mode delete, so that the functions' roles get sagemaker:DeleteModel for it
// (the stage's own `mode` is checked by the IsDeleteMode condition). README "Priorities".
const classesWithMode = (mode) => async ({ resolveVariable }) => {
  const raw = await resolveVariable('param:classes');
  if (typeof raw !== 'string' || raw.trim() === '') return 'false';
  let classes;
  try {
    classes = JSON.parse(raw);
  } catch {
    throw new Error(`param classes: not JSON: ${raw}`);
  }
  return Object.values(classes).some((policy) => policy && policy.mode === mode) ? 'true' : 'false';
};
module.exports.classesDelete = classesWithMode('delete');
// The same for mode recreate: the RecreatePolicy (resources/iam/recreate-policy.yml) for it.
module.exports.classesRecreate = classesWithMode('recreate');

// The recreate policy's CreateModel condition: only a model with network isolation that carries
// the auto-fix tag, whose key is the stage parameter `autoFixTagKey` (a policy's condition keys
// cannot hold a variable, so the whole condition is made here).
module.exports.autoFixCondition = async ({ resolveVariable }) => {
  const key = await resolveVariable('param:autoFixTagKey');
  if (typeof key !== 'string' || key.trim() === '') throw new Error('param autoFixTagKey: expected a tag key');
  return { Bool: { 'sagemaker:NetworkIsolation': 'true' }, StringEquals: { [`aws:RequestTag/${key.trim()}`]: 'allowed' } };
};
