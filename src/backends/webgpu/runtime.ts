// Recording kernels for the GPU: WGSL generation with a shared parameter block, a pipeline cache,
// one command encoder and compute pass shared across kernel calls, and a ring of uniform slots.
// Submits happen only before host reads/writes, when the ring is full, or every `flushEvery`
// dispatches (so the GPU starts on a long step while JS is still recording the rest).

import { DeviceFaultError } from '../fault.js';

/** One storage binding of a kernel: its WGSL name (upper case, unique in the body) and element type. */
export interface BindingSpec {
  name: string;
  type: 'f32' | 'i32' | 'u32' | 'atomic<u32>' | 'vec4<f32>';
  write?: boolean;
}

/**
 * A compute kernel: its bindings (1..n; binding 0 is the parameter block) and its WGSL body, which
 * declares `fn main` with `@compute @workgroup_size(...)`. Parameters are read with pu(i), pi(i),
 * pf(i): word i of the block as u32, i32, f32.
 */
export interface KernelSpec {
  name: string;
  bindings: readonly BindingSpec[];
  body: string;
  /** WGSL `enable` directives (f16, subgroups, ...). */
  enables?: readonly string[];
  /** Other directives (`diagnostic(...)`), which WGSL wants before any declaration. */
  directives?: readonly string[];
}

/**
 * What a kernel binds: `buffer` from byte `offset`, `span` bytes of it (0: the whole buffer). Tensor
 * storage (GpuStorage) is one: a pooled block (offset 0, bound whole) or a view in a pack.
 */
export interface BufferView {
  readonly buffer: GPUBuffer;
  readonly offset: number;
  readonly span: number;
}

/** Words in one parameter slot (256 bytes: the uniform offset alignment). */
export const PARAM_WORDS = 64;
const SLOT_BYTES = PARAM_WORDS * 4;
const RING_SLOTS = 2048;
// Bind groups kept at most (the cache is dropped when full: entries of destroyed buffers never hit again).
const BIND_GROUP_CACHE = 8192;
const STAGE_COMPUTE = 0x4;
const USAGE_UNIFORM = 0x40;
const USAGE_COPY_DST = 0x08;

const HEADER = /* wgsl */ `
struct Params { w: array<vec4<u32>, 16> }
@group(0) @binding(0) var<uniform> params: Params;
fn pu(i: u32) -> u32 { return params.w[i >> 2u][i & 3u]; }
fn pi(i: u32) -> i32 { return bitcast<i32>(pu(i)); }
fn pf(i: u32) -> f32 { return bitcast<f32>(pu(i)); }
// The flat index of a workgroup in a 2-D grid (1-D work too large for 65535 groups spills into y).
// -inf at run time (a constant -inf is a WGSL compile error): the mask makes it depend on a parameter.
fn negInf() -> f32 { return bitcast<f32>(0xff800000u | (pu(0u) & 0u)); }
fn wgIndex(wg: vec3<u32>, nwg: vec3<u32>) -> u32 { return wg.y * nwg.x + wg.x; }
`;

/** Writes one dispatch's parameters into its ring slot. */
export class ParamWriter {
  private at = 0;
  constructor(private readonly u32: Uint32Array, private readonly i32: Int32Array, private readonly f32: Float32Array, private base = 0) {}
  reset(base: number): this {
    this.base = base;
    this.at = 0;
    return this;
  }
  u(v: number): this {
    this.check();
    this.u32[this.base + this.at++] = v >>> 0;
    return this;
  }
  i(v: number): this {
    this.check();
    this.i32[this.base + this.at++] = v | 0;
    return this;
  }
  f(v: number): this {
    this.check();
    this.f32[this.base + this.at++] = v;
    return this;
  }
  private check(): void {
    if (this.at >= PARAM_WORDS) throw new Error(`webgpu: more than ${PARAM_WORDS} parameter words in one dispatch`);
  }
}

interface Compiled {
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
}

/**
 * Groups for `n` work items of `per` each: [x, y] with x * y >= ceil(n / per) and both <= 65535.
 * @example groups1d(1e8, 256) // [65535, 6]
 */
export function groups1d(n: number, per: number): [number, number, number] {
  const total = Math.max(1, Math.ceil(n / per));
  if (total <= 65535) return [total, 1, 1];
  const y = Math.ceil(total / 65535);
  return [Math.ceil(total / y), y, 1];
}

/** The recorder every kernel call goes through. */
export class Runtime {
  /** Dispatches recorded before an automatic submit. */
  flushEvery = 256;
  /** Dispatches since the device was opened (for tests and diagnostics). */
  dispatchCount = 0;
  submitCount = 0;
  /** Buffer-to-buffer copies and clears recorded (staged writes, readbacks, packed and gathered gradients). */
  copyCount = 0;
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private pending = 0;
  private readonly ring: GPUBuffer;
  private readonly mirror = new ArrayBuffer(RING_SLOTS * SLOT_BYTES);
  private readonly writer: ParamWriter;
  private slot = 0;
  private afterSubmitQueue: Array<() => void> = [];
  private readonly compiled = new Map<string, Compiled>();
  private readonly bindGroups = new Map<string, GPUBindGroup>();
  private readonly bufferIds = new WeakMap<GPUBuffer, number>();
  private nextBufferId = 0;
  private readonly dynamicOffset = new Uint32Array(1);
  /**
   * The first asynchronous error the device reported (validation, out of memory), thrown once at the
   * next sync point; an out-of-memory report replaces an earlier validation error (the invalid buffer
   * makes every later dispatch that binds it fail too, and the allocation is the cause).
   */
  fault: DeviceFaultError | null = null;
  /** Set when the device is lost: permanent, thrown at every later sync point. */
  lost: DeviceFaultError | null = null;
  private readonly lostListeners: Array<(err: DeviceFaultError) => void> = [];
  private loseAtNextSync = false;
  /** The first kernel that bound each buffer (named in out-of-memory errors). */
  private readonly firstUse = new WeakMap<GPUBuffer, string>();

  constructor(readonly device: GPUDevice) {
    this.ring = device.createBuffer({ size: RING_SLOTS * SLOT_BYTES, usage: USAGE_UNIFORM | USAGE_COPY_DST });
    this.writer = new ParamWriter(new Uint32Array(this.mirror), new Int32Array(this.mirror), new Float32Array(this.mirror));
    device.addEventListener('uncapturederror', (ev) => {
      const e = (ev as GPUUncapturedErrorEvent).error;
      const oom = e.constructor.name === 'GPUOutOfMemoryError';
      this.report(new DeviceFaultError('webgpu', oom ? 'out-of-memory' : 'error', `webgpu: ${oom ? 'out of GPU memory: ' : ''}${e.message}`));
    });
    void device.lost.then((info) => {
      // 'destroyed' too: nothing in moxing destroys its device, so that is a driver or a test.
      this.markLost(`webgpu: the GPU device was lost (${info.message || info.reason})`);
    });
  }

  /** Records an asynchronous fault for the next sync point (see `fault`). */
  report(err: DeviceFaultError): void {
    if (!this.fault || (err.kind === 'out-of-memory' && this.fault.kind === 'error')) this.fault = err;
  }

  /** The kernel that first bound `buffer`, if any did. */
  firstUseOf(buffer: GPUBuffer): string | undefined {
    return this.firstUse.get(buffer);
  }

  /** Calls `listener` once when the device is lost (at once if it already is). */
  onLost(listener: (err: DeviceFaultError) => void): void {
    if (this.lost) listener(this.lost);
    else this.lostListeners.push(listener);
  }

  /**
   * Test hook: loses the device for real (`device.destroy()`), now or at the next host read or sync,
   * so a test can make a chosen step or request hit the loss deterministically.
   */
  simulateLoss(when: 'now' | 'next-sync' = 'now'): void {
    if (when === 'next-sync') {
      this.loseAtNextSync = true;
      return;
    }
    this.markLost('webgpu: the GPU device was lost (simulated: device.destroy())');
    this.device.destroy();
  }

  private markLost(message: string): void {
    if (this.lost) return;
    this.lost = new DeviceFaultError('webgpu', 'lost', message);
    for (const f of this.lostListeners.splice(0)) f(this.lost);
  }

  /**
   * Throws a lost device's error (every time), or the recorded fault (once: a validation error or a
   * failed allocation does not end the device).
   */
  check(): void {
    if (this.loseAtNextSync) {
      this.loseAtNextSync = false;
      this.simulateLoss('now');
    }
    if (this.lost) throw this.lost;
    const f = this.fault;
    if (f) {
      this.fault = null;
      throw f;
    }
  }

  /** The parameter writer of the next dispatch (call before `dispatch`). */
  params(): ParamWriter {
    if (this.slot >= RING_SLOTS) this.flush();
    return this.writer.reset(this.slot * PARAM_WORDS);
  }

  /**
   * Records one dispatch of `spec` over `views` (one per binding, in order) with the parameters just
   * written by `params()`. A view bound twice (out = x for an in-place update) gets one binding and
   * the body's second name is rewritten to the first, since WebGPU forbids aliasing writable bindings.
   */
  dispatch(spec: KernelSpec, views: readonly BufferView[], groups: readonly [number, number, number]): void {
    if (views.length !== spec.bindings.length) throw new Error(`webgpu: kernel ${spec.name} takes ${spec.bindings.length} buffers, got ${views.length}`);
    if (this.slot >= RING_SLOTS) throw new Error('webgpu: params() must precede dispatch()');
    // Ids of the views; a repeated view (out = x) marks an aliased variant of the kernel.
    let ids = '';
    let aliased = false;
    for (let i = 0; i < views.length; i++) {
      const b = views[i]!;
      let id = this.bufferIds.get(b.buffer);
      if (id === undefined) {
        id = this.nextBufferId++;
        this.bufferIds.set(b.buffer, id);
        this.firstUse.set(b.buffer, spec.name);
      }
      ids += b.span === 0 ? `${id},` : `${id}@${b.offset}+${b.span},`;
      for (let j = 0; j < i; j++) {
        const o = views[j]!;
        if (o.buffer !== b.buffer) continue;
        if (o.offset === b.offset) aliased = true;
        else if (spec.bindings[i]!.write || spec.bindings[j]!.write) {
          // WebGPU allows one buffer in a dispatch either written once or only read.
          throw new Error(`webgpu: kernel ${spec.name} would write one tensor of a packed buffer while binding another of it (${spec.bindings[j]!.name} and ${spec.bindings[i]!.name}); copy one of them first`);
        }
      }
    }
    const buffers = views;
    const firstOf = aliased ? buffers.map((b) => buffers.findIndex((o) => o.buffer === b.buffer && o.offset === b.offset)) : null;
    const key = firstOf ? `${spec.name}|${firstOf.join(',')}` : spec.name;
    let c = this.compiled.get(key);
    if (!c) {
      c = this.compile(spec, firstOf);
      this.compiled.set(key, c);
    }
    // Bind groups are cached by kernel and buffers (the parameter slot is a dynamic offset), so a
    // training loop whose allocator hands back the same blocks creates no new ones; creating one per
    // dispatch cost ~15 us of JS plus the collection of its wrapper.
    const groupKey = `${key}|${ids}`;
    let bindGroup = this.bindGroups.get(groupKey);
    if (!bindGroup) {
      const entries: GPUBindGroupEntry[] = [{ binding: 0, resource: { buffer: this.ring, offset: 0, size: SLOT_BYTES } }];
      for (let i = 0; i < buffers.length; i++) {
        if (firstOf && firstOf[i] !== i) continue;
        const v = buffers[i]!;
        entries.push({ binding: i + 1, resource: v.span === 0 ? { buffer: v.buffer } : { buffer: v.buffer, offset: v.offset, size: v.span } });
      }
      bindGroup = this.device.createBindGroup({ layout: c.layout, entries });
      if (this.bindGroups.size >= BIND_GROUP_CACHE) this.bindGroups.clear();
      this.bindGroups.set(groupKey, bindGroup);
    }
    this.dynamicOffset[0] = this.slot * SLOT_BYTES;
    const pass = this.computePass();
    pass.setPipeline(c.pipeline);
    pass.setBindGroup(0, bindGroup, this.dynamicOffset, 0, 1);
    pass.dispatchWorkgroups(groups[0], groups[1], groups[2]);
    this.slot++;
    this.pending++;
    this.dispatchCount++;
    if (this.pending >= this.flushEvery) this.flush();
  }

  /** Records a buffer-to-buffer copy (ends the current compute pass). */
  copy(src: GPUBuffer, srcOffset: number, dst: GPUBuffer, dstOffset: number, bytes: number): void {
    if (bytes === 0) return;
    this.endPass();
    this.commandEncoder().copyBufferToBuffer(src, srcOffset, dst, dstOffset, bytes);
    this.pending++;
    this.copyCount++;
  }

  /** Records zeroing `bytes` of `buffer` from `offset` (ends the current compute pass; counted with the copies). */
  clear(buffer: GPUBuffer, offset: number, bytes: number): void {
    if (bytes === 0) return;
    this.endPass();
    this.commandEncoder().clearBuffer(buffer, offset, bytes);
    this.pending++;
    this.copyCount++;
  }

  /** Runs `f` once the commands recorded so far are submitted (destroying staging buffers they use). */
  afterSubmit(f: () => void): void {
    this.afterSubmitQueue.push(f);
  }

  /** True when commands are recorded but not submitted. */
  get hasPending(): boolean {
    return this.encoder !== null;
  }

  /** Submits everything recorded so far (with the parameter slots it uses). */
  flush(): void {
    if (!this.encoder) {
      this.slot = 0;
      return;
    }
    this.endPass();
    if (this.slot > 0) this.device.queue.writeBuffer(this.ring, 0, this.mirror, 0, this.slot * SLOT_BYTES);
    this.device.queue.submit([this.encoder.finish()]);
    const after = this.afterSubmitQueue;
    this.afterSubmitQueue = [];
    for (const f of after) f();
    this.encoder = null;
    this.slot = 0;
    this.pending = 0;
    this.submitCount++;
  }

  /** Submits and waits until the GPU finished everything queued; throws a recorded fault. */
  async sync(): Promise<void> {
    this.check();
    this.flush();
    await this.device.queue.onSubmittedWorkDone();
    this.check();
  }

  private commandEncoder(): GPUCommandEncoder {
    this.encoder ??= this.device.createCommandEncoder();
    return this.encoder;
  }

  private computePass(): GPUComputePassEncoder {
    this.pass ??= this.commandEncoder().beginComputePass();
    return this.pass;
  }

  private endPass(): void {
    if (this.pass) {
      this.pass.end();
      this.pass = null;
    }
  }

  private compile(spec: KernelSpec, firstOf: number[] | null): Compiled {
    let body = spec.body;
    const decls: string[] = [];
    // An explicit layout (not 'auto'): the parameter block takes a dynamic offset, and bindings a
    // kernel does not read stay in the layout instead of being stripped.
    const layoutEntries: GPUBindGroupLayoutEntry[] = [
      { binding: 0, visibility: STAGE_COMPUTE, buffer: { type: 'uniform', hasDynamicOffset: true, minBindingSize: SLOT_BYTES } },
    ];
    spec.bindings.forEach((b, i) => {
      const first = firstOf ? firstOf[i]! : i;
      if (first !== i) {
        const target = spec.bindings[first]!;
        if (target.type !== b.type) throw new Error(`webgpu: kernel ${spec.name} cannot alias ${b.name} (${b.type}) with ${target.name} (${target.type})`);
        body = body.replace(new RegExp(`\\b${b.name}\\b`, 'g'), target.name);
        return;
      }
      const write = b.write || (firstOf ?? []).some((f, j) => f === i && spec.bindings[j]!.write);
      decls.push(`@group(0) @binding(${i + 1}) var<storage, ${write ? 'read_write' : 'read'}> ${b.name}: array<${b.type}>;`);
      layoutEntries.push({ binding: i + 1, visibility: STAGE_COMPUTE, buffer: { type: write ? 'storage' : 'read-only-storage' } });
    });
    const enables = [...(spec.enables ?? []).map((e) => `enable ${e};`), ...(spec.directives ?? [])].join('\n');
    const code = `${enables}\n${HEADER}\n${decls.join('\n')}\n${body}`;
    const module = this.device.createShaderModule({ code, label: spec.name });
    const layout = this.device.createBindGroupLayout({ entries: layoutEntries, label: spec.name });
    const pipelineLayout = this.device.createPipelineLayout({ bindGroupLayouts: [layout] });
    const pipeline = this.device.createComputePipeline({ layout: pipelineLayout, compute: { module, entryPoint: 'main' }, label: spec.name });
    return { pipeline, layout };
  }

}
