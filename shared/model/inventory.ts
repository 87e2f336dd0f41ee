import type { Verdict, ExceptionRef } from './decision.js';
import type { ActionTaken, ChannelName, ChannelStatus, FailedStep } from './outcome.js';
import type { Severity } from './severity.js';

/** One row of the inventory: a model as it is, its verdict, and what the sweep did about it. */
export interface InventoryEntry {
  account: string | null;
  region: string;
  modelName: string;
  modelArn: string;
  creationTime: string | null;
  networkIsolation: boolean;
  verdict: Verdict;
  severity: Severity;
  classification: string | null;
  production: boolean;
  exception: ExceptionRef | null;
  quarantined: boolean;
  /**
   * Fixed: `isolation-guard fix` replaced it (its tag `isolation-guard:replaced-by`, written once every
   * endpoint serves the replacement, names a model of the same account and region that has isolation).
   * A quarantined model is not fixed: it still runs without isolation.
   */
  fixed?: boolean;
  /** Tags that matter for the control: quarantine, exemption, infrastructure as code. */
  tags: Record<string, string>;
  reasons: string[];
  action: ActionTaken;
  channels: Record<ChannelName, ChannelStatus>;
  failures: Partial<Record<FailedStep, string>>;
  /**
   * Why the model could not be read (DescribeModel or ListTags denied, throttled beyond retries):
   * it is reported, not dropped, and counts as not proven isolated. Null when it was read.
   */
  error?: string | null;
}

export interface SweepResult {
  startedAt: string;
  finishedAt: string;
  /** One entry per account and region swept (account null: this account). */
  regions: Array<{ account?: string | null; region: string; models: number; error: string | null; notEnabled?: true }>;
  models: InventoryEntry[];
  /** Exceptions within 14 days of expiry, reminded once over SNS (`kind=exception-expiring`). */
  reminders?: ReminderOutcome[];
}

export interface ReminderOutcome {
  id: string;
  expires: string | null;
  daysLeft: number;
  status: ChannelStatus;
  error?: string;
}
