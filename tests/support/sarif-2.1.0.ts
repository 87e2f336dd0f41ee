import { z } from 'zod';

/**
 * The parts of the SARIF 2.1.0 schema (OASIS, sarif-schema-2.1.0.json) that code scanning reads,
 * as written in the standard: required properties, enumerations and minimums. Strict where the
 * standard is (a misspelt property fails), so a report that passes is one GitHub and GitLab accept.
 */
const message = z.object({ text: z.string().min(1), markdown: z.string().optional() }).strict();
// A `uri-reference` (RFC 3986): only URI characters, `%` starting an escape; no `#` either, since a
// fragment in a file's URI would cut its path.
const uriReference = (uri: string) => /^(?:[A-Za-z0-9\-._~:/?[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*$/.test(uri);
const artifactLocation = z
  .object({
    uri: z
      .string()
      .min(1)
      .refine((uri) => uri.startsWith('file:') || (!uri.startsWith('/') && !uri.includes('\\')), 'a relative URI with /')
      .refine(uriReference, 'a URI reference: percent-encoded, no fragment'),
    uriBaseId: z.string().optional(),
  })
  .strict();
const suppression = z.object({ kind: z.enum(['inSource', 'external']), status: z.enum(['accepted', 'underReview', 'rejected']).optional(), justification: z.string().optional() }).strict();
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
    suppressions: z.array(suppression).optional(),
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
