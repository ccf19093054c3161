// Errors the CLI reports as one clear line on stderr with a non-zero exit (no stack trace).

/** An error caused by the user's input (a bad flag, a missing file, a malformed model). */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}
