/**
 * The layering rules `npm test` checks (tests/unit/layers.unit.test.ts runs `depcruise` with this file).
 * Layers, bottom up: shared/model (vocabulary: types, constants) → shared/<folder> → functions/, cli/.
 * The AWS SDK is imported in shared/aws/ only (the adapters, docs/design.md "AWS edge").
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-folder-cycles-in-shared',
      comment: 'Folders of shared/ import each other one way only: move shared vocabulary down to shared/model/.',
      severity: 'error',
      scope: 'folder',
      from: { path: '^shared/' },
      to: { circular: true },
    },
    {
      name: 'no-module-cycles',
      severity: 'error',
      from: { path: '^(shared|cli|functions)/' },
      to: { circular: true },
    },
    {
      name: 'shared-not-to-entry-points',
      comment: 'shared/ is the core: it never imports the Lambda entry points (functions/) or the CLI (cli/).',
      severity: 'error',
      from: { path: '^shared/' },
      to: { path: '^(cli|functions)/' },
    },
    {
      name: 'model-is-the-bottom-layer',
      comment: 'shared/model/ holds types and constants only: it imports nothing but itself.',
      severity: 'error',
      from: { path: '^shared/model/' },
      to: { pathNot: '^shared/model/' },
    },
    {
      name: 'decision-core-is-pure',
      comment: 'The decision core imports no adapter: no AWS SDK, clients, alert senders, actions or the enforcement pipeline.',
      severity: 'error',
      from: { path: '^shared/decision/' },
      to: {
        path: [
          '@aws-sdk/',
          '^shared/(aws|actions|alerts|enforcement|dlq|lambda|sweep|audit|athena|governance|reports)/',
          '^shared/config\\.ts$',
        ],
      },
    },
    {
      name: 'no-aws-sdk-in-handlers-or-decisions',
      comment:
        'The handler layer (functions/, shared/lambda/) and the decision layers (shared/decision/, shared/model/, and shared/cloudtrail/, ' +
        'which the decision core reads events with) reach AWS only through the adapters of shared/aws/. A type-only import counts too: ' +
        "name the adapter's re-exported type (import type { S3Client } from '../aws/s3.js'), not the SDK's.",
      severity: 'error',
      from: { path: '^(functions|shared/lambda|shared/decision|shared/model|shared/cloudtrail)/' },
      to: { path: '(^|/)@(aws-sdk|smithy)/' },
    },
    {
      name: 'aws-sdk-only-in-shared-aws',
      comment:
        'The rest of the code (shared/ outside aws/, cli/) calls AWS through the adapters of shared/aws/ too, and names SDK types ' +
        'through their re-exports (the handler and decision layers have their own rule above).',
      severity: 'error',
      from: { path: '^(shared|cli)/', pathNot: '^(shared/aws|shared/lambda|shared/decision|shared/model|shared/cloudtrail)/' },
      to: { path: '(^|/)@(aws-sdk|smithy)/' },
    },
    {
      name: 'functions-import-only-shared',
      comment: 'A Lambda entry point is a few lines over shared/: it imports nothing else of the project.',
      severity: 'error',
      from: { path: '^functions/' },
      to: { pathNot: '^shared/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
