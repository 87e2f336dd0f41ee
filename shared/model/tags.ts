/**
 * The tags the service writes on a quarantined model, in a module of their own: readers of them
 * (the audit) must not load the SDK client the quarantine action needs.
 */
export const QUARANTINE_TAG = 'isolation-guard:quarantine';
export const QUARANTINE_VALUE = 'network-isolation-disabled';
export const QUARANTINED_AT_TAG = 'isolation-guard:quarantined-at';
