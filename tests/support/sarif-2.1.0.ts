import { z } from 'zod';

/**
 * The parts of the SARIF 2.1.0 schema (OASIS, sarif-schema-2.1.0.json) that code scanning reads,
 * as written in the standard: required properties, enumerations and minimums. Strict where the
 * standard is (a misspelt property fails), so a report that passes is one GitHub and GitLab accept.
 */
const message = z.object({ text: z.string().min(1), markdown: z.string().optional() }).strict();
const artifactLocation = z.object({ uri: z.string().min(1).refine((uri) => !uri.startsWith('/') && !uri.includes('\\'), 'a relative URI with /'), uriBaseId: z.string().optional() }).strict();
const region = z.object({ startLine: z.number().int().min(1), startColumn: z.number().int().min(1).optional() }).strict();
const location = z
  .object({
    physicalLocation: z.object({ artifactLocation, region: region.optional() }).strict(),
    logicalLocations: z.array(z.object({ fullyQualifiedName: z.string(), kind: z.string() }).strict()).optional(),
  })
  .strict();
const level = z.enum(['none', 'note', 'warning', 'error']);
const rule = z
  .object({
    id: z.string().min(1),
    name: z.string().optional(),
    shortDescription: message.optional(),
    fullDescription: message.optional(),
    help: message.optional(),
    helpUri: z.string().optional(),
    defaultConfiguration: z.object({ level }).strict().optional(),
    properties: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();
const result = z
  .object({
    ruleId: z.string(),
    ruleIndex: z.number().int().min(0),
    level,
    message,
    locations: z.array(location).min(1),
    partialFingerprints: z.record(z.string(), z.string()).optional(),
    properties: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();
export const sarifLog = z
  .object({
    $schema: z.string().optional(),
    version: z.literal('2.1.0'),
    runs: z
      .array(
        z
          .object({
            tool: z.object({ driver: z.object({ name: z.string().min(1), semanticVersion: z.string().optional(), informationUri: z.string().optional(), rules: z.array(rule) }).strict() }).strict(),
            originalUriBaseIds: z.record(z.string(), z.object({ uri: z.string() }).strict()).optional(),
            invocations: z
              .array(
                z
                  .object({
                    executionSuccessful: z.boolean(),
                    toolExecutionNotifications: z.array(z.object({ level, message, locations: z.array(location).optional() }).strict()).optional(),
                  })
                  .strict(),
              )
              .optional(),
            results: z.array(result),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();
