// Where commands print their results: one output object for every command, so tests can capture it.

/**
 * The output sink every command writes its results through (stdout in the real CLI). Progress bars
 * and warnings go to stderr, outside it, so `--json` output stays parseable.
 * @example registerFit(program, { write: (s) => void (out += s) });
 */
export interface Io {
  write(text: string): void;
}

/**
 * The process's stdout.
 * @example buildProgram(processIo);
 */
export const processIo: Io = {
  write: (text) => {
    process.stdout.write(text);
  },
};

/**
 * An output that keeps what is written (for tests and for embedding the CLI).
 * @example const io = captureIo(); await buildProgram(io).parseAsync(argv); io.text;
 */
export function captureIo(): Io & { readonly text: string } {
  let text = '';
  return {
    write: (s) => {
      text += s;
    },
    get text() {
      return text;
    },
  };
}
