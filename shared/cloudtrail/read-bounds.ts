/** The bounds on one input's reading, apart from the reader so that the parse pool (started before the CLI's other modules load) imports nothing else. */
export interface ReadBounds {
  /** Text (inflated) bytes of one input. */
  inputBytes: number;
  /** JSON documents of one input (an NDJSON line, a log file, an event). */
  documents: number;
  /** Documents that hold no record (`[]`, `{"Records":[]}`): a few in a real input, never a flood. */
  emptyDocuments: number;
  /** Records of one input. */
  records: number;
  /** How many times its size gzip may inflate (checked past 16 MiB of text). */
  inflateRatio: number;
  /** Time spent reading one input (checked as each chunk arrives): whatever the counts, never hours. */
  readMs: number;
  /** A document over this is read record by record when it is a log file in CloudTrail's framing, and refused otherwise: parsed whole, it would take several times its size in memory. */
  wholeDocumentBytes: number;
}

/**
 * The defaults: far above what CloudTrail writes (a log file holds thousands of records and a few
 * MB; a month of a busy trail on stdin is millions of records), far below what costs minutes.
 */
export const READ_BOUNDS: ReadBounds = {
  inputBytes: 16 * 1024 * 1024 * 1024,
  documents: 10_000_000,
  emptyDocuments: 100_000,
  records: 20_000_000,
  inflateRatio: 100,
  readMs: 30 * 60 * 1000,
  wholeDocumentBytes: 16 * 1024 * 1024,
};
