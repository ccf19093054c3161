// The one error type of the tabular workflow: a user-facing problem with the data or a model file.

/**
 * A user-facing error about the data or the model file (the CLI prints it as one line).
 * @example throw new TabularError("target column 'y' has 2 missing values (first in data row 4)");
 */
export class TabularError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TabularError';
  }
}
