// Error messages about a file name the file once: many readers already start their message with the
// path, and a caller that adds it again prints "a.json: a.json: ...".

/**
 * `message` about `path`, with the path in front unless it is there already.
 * @example namingPath('a.json', 'a.json: not valid JSON'); // 'a.json: not valid JSON'
 * @example namingPath('a.json', 'not valid JSON'); // 'a.json: not valid JSON'
 */
export function namingPath(path: string, message: string): string {
  return message.startsWith(path) ? message : `${path}: ${message}`;
}
