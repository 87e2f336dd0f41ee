/** The errors of the IaC parsers (`scan`): turned into a named problem of the file, never thrown out of a scan. */

/** A CloudFormation template (JSON or YAML) that does not parse; with the parser's line and column. */
export class TemplateParseError extends Error {
  constructor(
    message: string,
    readonly line: number | null,
    readonly column: number | null,
  ) {
    super(message);
  }
}

/** hcl-lite.ts met syntax it does not read: the caller falls back to HashiCorp's parser. */
export class HclLiteUnsupported extends Error {}
