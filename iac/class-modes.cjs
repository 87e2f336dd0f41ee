// Resolved by serverless at package time: 'true' when a data class in the `classes` stage
// parameter sets mode delete, so that the functions' roles get sagemaker:DeleteModel for it
// (the stage's own `mode` is checked by the IsDeleteMode condition). README "Priorities".
module.exports.classesDelete = async ({ resolveVariable }) => {
  const raw = await resolveVariable('param:classes');
  if (typeof raw !== 'string' || raw.trim() === '') return 'false';
  let classes;
  try {
    classes = JSON.parse(raw);
  } catch {
    throw new Error(`param classes: not JSON: ${raw}`);
  }
  return Object.values(classes).some((policy) => policy && policy.mode === 'delete') ? 'true' : 'false';
};
