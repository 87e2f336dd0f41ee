/**
 * An SDK error says what went wrong (`NoSuchBucket`), not which call: this middleware adds the
 * service, the operation and the resource the call named, so the edges (the CLI's messages, the
 * Lambda's logs) can say "S3 ListObjectsV2 on bucket my-trail failed" in one plain sentence.
 */
export interface AwsErrorContext {
  $service?: string;
  $operation?: string;
  /** The resource the call named: a bucket, queue URL, table, topic, model. */
  $resource?: string;
}

const RESOURCE_KEYS = ['Bucket', 'QueueUrl', 'TableName', 'TopicArn', 'ModelName', 'Name', 'EventBusName', 'RoleArn'] as const;

interface MiddlewareStackLike {
  addRelativeTo?: unknown;
  add(middleware: unknown, options: { step: 'initialize'; name: string; override?: boolean }): void;
}

/** Adds the error context to every call of `client`; returns the client. */
export function withErrorContext<C extends { middlewareStack: MiddlewareStackLike }>(client: C): C {
  client.middlewareStack.add(
    (next: (args: { input: Record<string, unknown> }) => Promise<unknown>, context: { clientName?: string; commandName?: string }) =>
      async (args: { input: Record<string, unknown> }) => {
        try {
          return await next(args);
        } catch (error) {
          if (error && typeof error === 'object' && !('$operation' in error)) {
            const key = RESOURCE_KEYS.find((name) => typeof args.input?.[name] === 'string');
            Object.assign(error, {
              $service: context.clientName?.replace(/Client$/, ''),
              $operation: context.commandName?.replace(/Command$/, ''),
              ...(key ? { $resource: `${resourceWord(key)} ${String(args.input[key])}` } : {}),
            } satisfies AwsErrorContext);
          }
          throw error;
        }
      },
    { step: 'initialize', name: 'isolationGuardErrorContext', override: true },
  );
  return client;
}

function resourceWord(key: (typeof RESOURCE_KEYS)[number]): string {
  switch (key) {
    case 'Bucket':
      return 'bucket';
    case 'QueueUrl':
      return 'queue';
    case 'TableName':
      return 'table';
    case 'TopicArn':
      return 'topic';
    case 'ModelName':
      return 'model';
    case 'EventBusName':
      return 'event bus';
    case 'RoleArn':
      return 'role';
    case 'Name':
      return 'parameter';
  }
}
