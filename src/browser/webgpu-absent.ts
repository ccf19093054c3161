// What the browser build links as 'moxing:webgpu' while src/backends/webgpu/ does not exist yet:
// loadModel(..., { backend: 'webgpu' }) then says so.

/** No webgpu backend in this build. */
export async function initWebGpu(): Promise<{ backend: null; reason: string }> {
  return { backend: null, reason: 'this moxing.js was built without the webgpu backend (src/backends/webgpu/ was missing)' };
}
