import { createAwsClients } from '../../shared/aws/clients.js';
import { routerFromConfig } from '../../shared/aws/accounts.js';
import { chunksOf, readRecords } from '../../shared/cloudtrail/record-reader.js';
import { extractRecords } from '../../shared/cloudtrail/extract.js';
import type { CreateModelRecord } from '../../shared/cloudtrail/record.js';
import type { Config } from '../../shared/config.js';
import { deleteDeadLetter, receiveDeadLetters } from '../../shared/dlq/dead-letter-queue.js';
import { eventFromDeadLetter } from '../../shared/dlq/dead-letter.js';
import { enforcementDeps, enforcementSettings } from '../../shared/enforcement/deps.js';
import { enforceRecord, type EnforcementDeps, type EnforcementResult } from '../../shared/enforcement/pipeline.js';
import { IsolationGuardError } from '../../shared/errors.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { printable } from '../format-table.js';
import type { CliIo } from '../io.js';

export interface EnforceOptions {
  inputs: string[];
  fromDlq: string | null;
  region: string | null;
  config: Config;
}

/**
 * Per-request limits of the CLI's AWS calls: a Lambda is bounded by its function timeout, a command
 * line by nothing, so a call that hangs (a black-holed endpoint, a stalled proxy) fails after
 * these and is retried by the SDK, and the event is reported as not handled (exit 3).
 */
export const ENFORCE_CLI_TIMEOUTS = { connectionTimeoutMs: 3_000, requestTimeoutMs: 10_000 } as const;

/** One JSON line per event handled: the decision, the action and each channel's outcome. */
export const resultLine = (result: EnforcementResult): string =>
  JSON.stringify({ decision: result.decision, model: result.model, action: result.action, channels: result.channels, failures: result.failures });

/**
 * `isolation-guard enforce`: the Lambda's pipeline from the command line, over files, stdin or the
 * dead-letter queue. Exit 0: no violation; 1: violations, all handled; 2: an input could not be
 * read; 3: an effect (action or alert) failed; the event must be replayed again.
 */
export async function enforceCommand(options: EnforceOptions, io: CliIo, deps?: EnforcementDeps): Promise<ExitCode> {
  const region = options.region ?? process.env.AWS_REGION ?? regionOfArn(options.config.topicArn) ?? 'us-east-1';
  const clients = createAwsClients({ region, ...ENFORCE_CLI_TIMEOUTS });
  const pipelineDeps = deps ?? enforcementDeps(options.config, clients, { router: routerFromConfig(options.config, clients, { region }) });
  const settings = enforcementSettings(options.config);
  const tally = { violations: 0, unreadable: 0, failed: 0 };

  const handle = async (record: CreateModelRecord): Promise<boolean> => {
    const result = await enforceRecord(record, settings, pipelineDeps);
    io.stdout(resultLine(result));
    if (result.decision.verdict === 'violation') tally.violations++;
    const failed = Object.keys(result.failures).length > 0;
    if (failed) {
      tally.failed++;
      for (const [step, why] of Object.entries(result.failures)) io.stderr(`isolation-guard: event ${result.eventKey}: ${step} failed: ${printable(why)}`);
    }
    return !failed;
  };

  const handleValue = async (source: string, value: unknown): Promise<boolean> => {
    let ok = true;
    for (const item of extractRecords(value)) {
      if (item.kind === 'skipped') continue;
      if (item.kind === 'invalid') {
        tally.unreadable++;
        io.stderr(`isolation-guard: ${printable(source)}: ${printable(item.error.message)}`);
        ok = false;
        continue;
      }
      try {
        ok = (await handle(item.record)) && ok;
      } catch (error) {
        // DescribeModel denied or throttled beyond retries: this event is not handled.
        tally.failed++;
        ok = false;
        io.stderr(`isolation-guard: ${printable(source)}: ${printable(item.record.eventID ?? '(no eventID)')}: ${printable(describe(error))}`);
      }
    }
    return ok;
  };

  if (options.fromDlq) {
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
      if (await handleValue(`dead letter ${letter.messageId}`, event)) await deleteDeadLetter(clients.sqs, options.fromDlq, letter);
    }
  }

  const inputs = options.inputs.length > 0 || options.fromDlq ? options.inputs : ['-'];
  for (const input of inputs) {
    const file = await io.input(input);
    const name = file.name;
    try {
      for await (const item of readRecords(file.open ? file.open() : chunksOf(await file.read()))) {
        if (item.kind === 'skipped' || item.kind === 'counted') continue;
        if (item.kind === 'problem') {
          tally.unreadable++;
          io.stderr(`isolation-guard: ${printable(name)}: ${printable(item.message)}`);
          continue;
        }
        try {
          await handle(item.record);
        } catch (error) {
          // DescribeModel denied or throttled beyond retries: this event is not handled.
          tally.failed++;
          io.stderr(`isolation-guard: ${printable(name)}: ${printable(item.record.eventID ?? '(no eventID)')}: ${printable(describe(error))}`);
        }
      }
    } catch (error) {
      tally.unreadable++;
      io.stderr(`isolation-guard: ${printable(name)}: ${printable(describe(error))}`);
    }
  }

  if (tally.unreadable > 0) return EXIT.inputError;
  if (tally.failed > 0) return EXIT.effectFailed;
  return tally.violations > 0 ? EXIT.violation : EXIT.ok;
}

const regionOfArn = (arn: string | null): string | null => arn?.split(':')[3] || null;

function describe(error: unknown): string {
  if (error instanceof IsolationGuardError) return error.message;
  const code = (error as NodeJS.ErrnoException).code;
  if (code) return `cannot read (${code})`;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
