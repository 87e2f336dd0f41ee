import { globToRegExp } from '../../shared/decision/glob.js';
/**
 * A small evaluator of IAM policy statements, for the operators our policies use (Bool,
 * BoolIfExists, Null, ArnLike, ArnNotLike, StringEquals), written from the IAM policy reference:
 * operators of a statement are ANDed, the values of one key are ORed, an `...IfExists` operator is
 * true when the key is absent, a negated operator (`...Not...`) is true when the key is absent.
 * Test harness only: it proves our SCP's logic, it is not a policy engine.
 */
export type RequestContext = Record<string, string | undefined>;

const glob = (pattern: string) => globToRegExp(pattern);

function operatorHolds(operator: string, key: string, expected: string | string[], context: RequestContext): boolean {
  const values = Array.isArray(expected) ? expected : [expected];
  const actual = context[key];
  const ifExists = operator.endsWith('IfExists');
  const base = ifExists ? operator.slice(0, -'IfExists'.length) : operator;
  if (base === 'Null') return values.some((v) => (v === 'true') === (actual === undefined));
  if (actual === undefined) return ifExists || base.includes('Not');
  switch (base) {
    case 'Bool':
      return values.some((v) => v.toLowerCase() === actual.toLowerCase());
    case 'StringEquals':
      return values.includes(actual);
    case 'ArnLike':
      return values.some((v) => glob(v).test(actual));
    case 'ArnNotLike':
      return !values.some((v) => glob(v).test(actual));
    default:
      throw new Error(`operator ${operator} is not supported by this test evaluator`);
  }
}

export function statementApplies(
  statement: { Action: string | string[]; Condition?: Record<string, Record<string, string | string[]>> },
  action: string,
  context: RequestContext,
): boolean {
  const actions = Array.isArray(statement.Action) ? statement.Action : [statement.Action];
  if (!actions.some((a) => glob(a).test(action))) return false;
  return Object.entries(statement.Condition ?? {}).every(([operator, keys]) =>
    Object.entries(keys).every(([key, expected]) => operatorHolds(operator, key, expected, context)),
  );
}
