/**
 * The tags the service writes on a quarantined model, in a module of their own: readers of them
 * (the audit) must not load the SDK client the quarantine action needs.
 */
export const QUARANTINE_TAG = 'isolation-guard:quarantine';
export const QUARANTINE_VALUE = 'network-isolation-disabled';
export const QUARANTINED_AT_TAG = 'isolation-guard:quarantined-at';

/** CloudFormation's own tag on every resource of a stack: the model is managed by infrastructure as code. */
export const CLOUDFORMATION_STACK_TAG = 'aws:cloudformation:stack-name';
/** On a model `isolation-guard fix` created: the name of the model it replaces. */
export const REPLACES_TAG = 'isolation-guard:replaces';
/**
 * On a model that `fix` replaced, written once every endpoint serves the replacement: its name.
 * The sweep and the audit count such a model as fixed (not merely quarantined).
 */
export const REPLACED_BY_TAG = 'isolation-guard:replaced-by';
/** The tag (key configurable: `autoFixTagKey`) that lets the enforce Lambda's `recreate` mode fix a model, and its value. */
export const AUTO_FIX_TAG = 'isolation-guard:auto-fix';
export const AUTO_FIX_VALUE = 'allowed';
