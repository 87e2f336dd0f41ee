import { createAwsClients } from '../../shared/aws/clients.js';
import { resourceRegions } from '../../shared/aws/resource-regions.js';
import { routerFromConfig } from '../../shared/aws/accounts.js';
import { readFiles } from '../../shared/cloudtrail/read-files.js';
import { recordItemsOf, type RecordItem } from '../../shared/cloudtrail/record-reader.js';
import { nearMiss } from '../../shared/cloudtrail/near-miss.js';
import { homeRegion, type Config } from '../../shared/config.js';
import { deleteDeadLetter, receiveDeadLetters } from '../../shared/dlq/dead-letter-queue.js';
import { eventFromDeadLetter } from '../../shared/dlq/dead-letter.js';
import { ledgerTableOfQueue } from '../../shared/dlq/replay-ledger.js';
import { dynamoDbStepLedger } from '../../shared/enforcement/dynamodb-step-ledger.js';
import { enforcementDeps, enforcementSettings } from '../../shared/enforcement/deps.js';
import { effectFailed, enforceItem, resultRecord, type EnforceItem } from '../../shared/enforcement/enforce-item.js';
import type { EnforcementDeps, EnforcementResult } from '../../shared/enforcement/pipeline.js';
import { IsolationGuardError } from '../../shared/errors.js';
import { errorText } from '../../shared/model/error-text.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { jsonLine, printable } from '../format-table.js';
import { inputFiles, type CliIo } from '../io.js';
import { warnIfNobodyIsTold } from '../warnings.js';

export interface EnforceOptions {
  inputs: string[];
  fromDlq: string | null;
  region: string | null;
  config: Config;
  /** The environment the command was run with (its AWS_REGION). */
  env: NodeJS.ProcessEnv;
}

/**
 * Per-request limits of the CLI's AWS calls: a Lambda is bounded by its function timeout, a command
 * line by nothing, so a call that hangs (a black-holed endpoint, a stalled proxy) fails after
 * these and is retried by the SDK, and the event is reported as not handled (exit 3).
 */
export const ENFORCE_CLI_TIMEOUTS = { connectionTimeout: 3_000, requestTimeout: 10_000, throwOnRequestTimeout: true } as const;

/** One JSON line per event handled: the decision, the action and each channel's outcome (what the Lambda logs). */
export const resultLine = (result: EnforcementResult): string => jsonLine(resultRecord(result));

/**
 * `isolation-guard enforce`: the Lambda's pipeline from the command line, over files, stdin or the
 * dead-letter queue. Exit 0: no violation; 1: violations, all handled; 2: an input could not be
 * read; 3: an effect (action or alert) failed; the event must be replayed again.
 */
export async function enforceCommand(options: EnforceOptions, io: CliIo, deps?: EnforcementDeps): Promise<ExitCode> {
  const regions = resourceRegions({ topicArn: options.config.topicArn, queueUrl: options.fromDlq, table: options.config.idempotencyTable }, options.region);
  const region = homeRegion({ given: options.region, env: options.env, otherwise: regions.sns ?? regions.sqs });
  const clients = createAwsClients({ region, regions, requestHandler: ENFORCE_CLI_TIMEOUTS });
  warnIfNobodyIsTold(options.config, io);
  const pipelineDeps = deps ?? enforcementDeps(options.config, clients, { router: routerFromConfig(options.config, clients, { region }) });
  const settings = enforcementSettings(options.config);
  const tally = { violations: 0, unreadable: 0, failed: 0, createModel: 0, skipped: 0 };

  const report = (result: EnforcementResult): boolean => {
    io.stdout(resultLine(result));
    if (result.decision.verdict === 'violation') tally.violations++;
    const failed = effectFailed(result);
    if (failed) {
      tally.failed++;
      for (const [step, why] of Object.entries(result.failures)) io.stderr(`isolation-guard: event ${result.eventKey}: ${step} failed: ${printable(why)}`);
    }
    return !failed;
  };

  /** One reader item (from a file or a dead letter), handled the same way whatever its source. */
  const handleItem = async (source: string, item: RecordItem): Promise<boolean> => {
    if (item.kind === 'counted') {
      tally.skipped += item.count;
      return true;
    }
    if (item.kind === 'skipped') {
      tally.skipped++;
      const why = item.record ? nearMiss(item.record) : null;
      if (why) io.stderr(`isolation-guard: ${printable(source)}: skipped ${printable(item.where || '(record)')}: ${printable(why)}`);
      return true;
    }
    // A CreateModel call with a missing or malformed field is a violation with that reason.
    const enforceable: EnforceItem = item.kind === 'problem' ? { kind: 'malformed', why: item.message, record: item.record } : item;
    const handledAsViolation = (why: string) => io.stderr(`isolation-guard: ${printable(source)}: ${printable(why)}: handled as a violation`);
    try {
      const outcome = await enforceItem(enforceable, settings, pipelineDeps, { region, onMalformed: handledAsViolation });
      if ('handled' in outcome) {
        tally.createModel++;
        return report(outcome.handled);
      }
      tally.unreadable++;
      io.stderr(`isolation-guard: ${printable(source)}: ${printable(enforceable.kind === 'malformed' ? enforceable.why : 'not a SageMaker CreateModel call')}`);
      return false;
    } catch (error) {
      // DescribeModel denied or throttled beyond retries: this event is not handled.
      tally.createModel++;
      tally.failed++;
      io.stderr(`isolation-guard: ${printable(source)}: ${printable(eventIdOf(enforceable) ?? '(no eventID)')}: ${printable(describe(error))}`);
      return false;
    }
  };

  if (options.fromDlq) {
    // Replay is idempotent by default: with the step ledger, from the configuration or else the
    // outputs of the stack whose dead-letter queue this is. Without one, alerts would go out and
    // actions run a second time: refuse, and say how to name the table.
    if (!deps && !options.config.idempotencyTable) {
      // Only a replay needs CloudFormation: its client is loaded here, not for every run on files.
      const { createCloudFormationClient } = await import('../../shared/aws/cloudformation-client.js');
      const cloudFormation = createCloudFormationClient({ region: regions.sqs ?? region, requestHandler: ENFORCE_CLI_TIMEOUTS });
      const found = await ledgerTableOfQueue(cloudFormation, options.fromDlq).catch((error: unknown) => {
        io.stderr(`isolation-guard: --from-dlq: could not read the stacks' outputs to find the step-ledger table (${printable(describe(error))})`);
        return null;
      });
      cloudFormation.destroy();
      if (found === null) {
        io.stderr(
          'isolation-guard: --from-dlq: no step-ledger table, and no CloudFormation stack outputs this queue as DeadLetterQueueUrl. ' +
            "Replaying without the ledger would send the alerts and run the actions again: pass --idempotency-table with the stack's IdempotencyTableName output.",
        );
        return EXIT.inputError;
      }
      io.stderr(`isolation-guard: replaying with the step-ledger table ${printable(found.table)} (output IdempotencyTableName of stack ${printable(found.stack)})`);
      pipelineDeps.ledger = dynamoDbStepLedger({ client: clients.dynamodb, tableName: found.table });
    }
    for await (const letter of receiveDeadLetters(clients.sqs, options.fromDlq)) {
      let event: unknown;
      try {
        event = eventFromDeadLetter(letter.body);
      } catch (error) {
        tally.unreadable++;
        io.stderr(`isolation-guard: dead letter ${letter.messageId}: ${printable(describe(error))}`);
        continue;
      }
      // Only a fully handled event leaves the queue; the rest reappear after the visibility timeout.
      let handled = true;
      for (const item of recordItemsOf(event)) handled = (await handleItem(`dead letter ${letter.messageId}`, item)) && handled;
      if (handled) await deleteDeadLetter(clients.sqs, options.fromDlq, letter);
    }
  }

  // Files and stdin through the one reader of CloudTrail input (the same as evaluate and audit):
  // streamed, gzip or not, a malformed CreateModel record is a violation, a near miss is named
  // (no fast path: every record of a log file is looked at, not only counted).
  const inputs = options.inputs.length > 0 || options.fromDlq ? options.inputs : ['-'];
  for await (const { file, items } of readFiles(inputFiles(io, inputs), { words: [] })) {
    for await (const item of items) await handleItem(file.name, item);
  }

  if (tally.createModel === 0 && tally.unreadable === 0 && tally.skipped === 0 && !options.fromDlq) {
    // An empty input (a failed export, a wrong path) is not "nothing to enforce".
    io.stderr('isolation-guard: the input holds no records: nothing was enforced');
    return EXIT.inputError;
  }
  if (tally.createModel === 0 && tally.unreadable === 0) {
    io.stderr(`isolation-guard: the input holds no SageMaker CreateModel call (${tally.skipped} other record(s) skipped)`);
  }
  if (tally.unreadable > 0) return EXIT.inputError;
  if (tally.failed > 0) return EXIT.effectFailed;
  return tally.violations > 0 ? EXIT.violation : EXIT.ok;
}


/** The CloudTrail eventID of an item, valid or malformed, when it has one. */
function eventIdOf(item: EnforceItem): string | null {
  if (item.kind === 'create-model') return item.record.eventID ?? null;
  const eventId = (item.record as { eventID?: unknown } | null | undefined)?.eventID;
  return typeof eventId === 'string' && eventId !== '' ? eventId : null;
}

function describe(error: unknown): string {
  if (error instanceof IsolationGuardError) return error.message;
  const code = (error as NodeJS.ErrnoException).code;
  if (code) return `cannot read (${code})`;
  return errorText(error);
}
