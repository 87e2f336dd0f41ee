/**
 * Glob patterns for exemptions: `*` matches any run of characters, `?` one character, everything
 * else is literal. Globs rather than regular expressions, so a configured pattern cannot backtrack
 * catastrophically and reads the way IAM ARN patterns do.
 */
export function globToRegExp(pattern: string, options: { caseInsensitive?: boolean } = {}): RegExp {
  const source = Array.from(pattern, (char) => {
    if (char === '*') return '.*';
    if (char === '?') return '.';
    return char.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
  }).join('');
  return new RegExp(`^${source}$`, options.caseInsensitive ? 'isu' : 'su');
}
