/**
 * The SSM client and the one command the service sends itself (GetParameter), for `import()`: in
 * a Lambda's one-file bundle a module reached by `import()` keeps every export of what it imports,
 * so importing `@aws-sdk/client-ssm` itself that way would bundle all of its commands.
 */
export { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
