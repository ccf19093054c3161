// Environment variables where there is a process (Node), none in a browser page: the one place
// the backends read process.env, so the browser build needs no `process` shim.

/**
 * The value of an environment variable, or undefined (always undefined in a browser).
 * @example envVar('MOXING_BACKEND') // 'wasm' under MOXING_BACKEND=wasm
 */
export function envVar(name: string): string | undefined {
  return typeof process === 'undefined' ? undefined : process.env[name];
}
