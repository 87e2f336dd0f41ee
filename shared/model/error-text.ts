/** An error as one line of text for a report, an alert or a log: `Name: message` (a thrown non-Error as it is). */
export const errorText = (error: unknown): string => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

/** An error's message alone (a thrown non-Error as it is): where the text around it already says what failed. */
export const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));
