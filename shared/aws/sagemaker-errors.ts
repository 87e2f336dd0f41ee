/**
 * SageMaker answers a missing model with a ValidationException ("Could not find model ...") rather
 * than a ResourceNotFound: "not found" counts as already done for every action.
 */
export function isModelNotFound(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name, message } = error as { name?: unknown; message?: unknown };
  const text = typeof message === 'string' ? message : '';
  return (
    name === 'ResourceNotFound' ||
    name === 'ResourceNotFoundException' ||
    (name === 'ValidationException' && /could not find|not found|does not exist/i.test(text))
  );
}
