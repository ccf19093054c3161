// The module the browser build links to the webgpu backend (src/backends/webgpu/index.ts) when it
// exists, else to webgpu-absent.ts (see scripts/build-browser.ts).
declare module 'moxing:webgpu' {
  export function initWebGpu(options?: { mode?: 'auto' | 'swiftshader'; allowSoftware?: boolean }): Promise<{ backend: unknown; reason: string | null }>;
}
