/**
 * A value made on first use, then kept: for zod schemas a cold start would otherwise build whether
 * or not the invocation needs them (each costs start-up time in the enforce Lambda).
 */
export const once = <T>(make: () => T): (() => T) => {
  let made: T | undefined;
  return () => (made ??= make());
};
