// f16 GEMM on subgroup matrices (tensor cores on NVIDIA through Dawn's
// chromium-experimental-subgroup-matrix): f32 storage in and out, tiles rounded to f16 as they are
// staged in workgroup memory, products accumulated in f32. Only adapters with an f16 -> f32
// configuration and 32-wide subgroups get it (feature-detected; SwiftShader has none).

import type { MatmulParams } from '../../backend.js';
import type { GpuStorage } from '../memory.js';
import type { KernelSpec } from '../runtime.js';
import { type GpuCtx, requireF32 } from './common.js';

/** out[b] = op(A[b]) @ op(B[b]) through f16 tensor cores (see MatmulParams). */
export type MatmulF16 = (a: GpuStorage, b: GpuStorage, out: GpuStorage, p: MatmulParams) => void;

interface Config { M: number; N: number; K: number }

const BM = 64;
const BN = 64;
const BK = 32;
const SG = 32; // invocations per subgroup assumed (NVIDIA); 4 subgroups per workgroup, each a 32 x 32 block

function source(c: Config, transA: boolean, transB: boolean): string {
  const rm = 32 / c.M; // result tiles per subgroup, down
  const rn = 32 / c.N; // across
  const aLoad = transA ? `A[aBase + (k0 + kk) * m + m0 + row]` : `A[aBase + (m0 + row) * K + k0 + kk]`;
  const bLoad = transB ? `B[bBase + (n0 + col) * K + k0 + kk]` : `B[bBase + (k0 + kk) * n + n0 + col]`;
  return /* wgsl */ `
var<workgroup> As: array<f16, ${BM * BK}>;
var<workgroup> Bs: array<f16, ${BK * BN}>;
var<workgroup> Cs: array<f32, ${4 * c.M * c.N}>;
@compute @workgroup_size(128)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let m = pu(0u); let n = pu(1u); let K = pu(2u);
  let b = wg.z;
  let aBase = pu(3u) + b * pu(5u);
  let bBase = pu(4u) + b * pu(6u);
  let oBase = b * m * n;
  let m0 = wg.y * ${BM}u;
  let n0 = wg.x * ${BN}u;
  let sg = li / ${SG}u;
  let lane = li % ${SG}u;
  let sm = (sg / 2u) * 32u; // this subgroup's block inside the tile
  let sn = (sg % 2u) * 32u;
  var acc: array<subgroup_matrix_result<f32, ${c.N}, ${c.M}>, ${rm * rn}>;
  for (var k0 = 0u; k0 < K; k0 += ${BK}u) {
    for (var e = li; e < ${BM * BK}u; e += 128u) {
      ${transA ? `let row = e % ${BM}u; let kk = e / ${BM}u;` : `let kk = e % ${BK}u; let row = e / ${BK}u;`}
      var v = 0.0;
      if (m0 + row < m && k0 + kk < K) { v = ${aLoad}; }
      As[row * ${BK}u + kk] = f16(v);
    }
    for (var e = li; e < ${BK * BN}u; e += 128u) {
      ${transB ? `let kk = e % ${BK}u; let col = e / ${BK}u;` : `let col = e % ${BN}u; let kk = e / ${BN}u;`}
      var v = 0.0;
      if (n0 + col < n && k0 + kk < K) { v = ${bLoad}; }
      Bs[kk * ${BN}u + col] = f16(v);
    }
    workgroupBarrier();
    for (var kk = 0u; kk < ${BK}u; kk += ${c.K}u) {
      for (var i = 0u; i < ${rm}u; i++) {
        let left = subgroupMatrixLoad<subgroup_matrix_left<f16, ${c.K}, ${c.M}>>(&As, (sm + i * ${c.M}u) * ${BK}u + kk, false, ${BK}u);
        for (var j = 0u; j < ${rn}u; j++) {
          let right = subgroupMatrixLoad<subgroup_matrix_right<f16, ${c.N}, ${c.K}>>(&Bs, kk * ${BN}u + sn + j * ${c.N}u, false, ${BN}u);
          acc[i * ${rn}u + j] = subgroupMatrixMultiplyAccumulate(left, right, acc[i * ${rn}u + j]);
        }
      }
    }
    workgroupBarrier();
  }
  let accumulate = pu(7u) != 0u;
  for (var t = 0u; t < ${rm * rn}u; t++) {
    subgroupMatrixStore(&Cs, sg * ${c.M * c.N}u, acc[t], false, ${c.N}u);
    workgroupBarrier();
    let r0 = m0 + sm + (t / ${rn}u) * ${c.M}u;
    let c0 = n0 + sn + (t % ${rn}u) * ${c.N}u;
    for (var e = lane; e < ${c.M * c.N}u; e += ${SG}u) {
      let row = r0 + e / ${c.N}u;
      let col = c0 + e % ${c.N}u;
      if (row < m && col < n) {
        let o = oBase + row * n + col;
        let v = Cs[sg * ${c.M * c.N}u + e];
        if (accumulate) { OUT[o] += v; } else { OUT[o] = v; }
      }
    }
    workgroupBarrier();
  }
}
`;
}

/** Picks the f16 -> f32 configuration (largest K first) and returns the kernel, or null when none fits. */
export function matmulF16Kernel(ctx: GpuCtx, configs: ReadonlyArray<{ M: number; N: number; K: number; componentType: string; resultComponentType: string }>): MatmulF16 | null {
  const fits = configs
    .filter((c) => c.componentType === 'f16' && c.resultComponentType === 'f32' && 32 % c.M === 0 && 32 % c.N === 0 && BK % c.K === 0)
    .sort((a, b) => b.M * b.N * b.K - a.M * a.N * a.K);
  const config = fits[0];
  if (!config) return null;
  const specs = new Map<string, KernelSpec>();
  return (a, b, out, p) => {
    requireF32('matmulF16', a, b, out);
    if (p.batch * p.m * p.n === 0 || p.k === 0) throw new Error('webgpu: matmulF16 needs non-empty m, n, k');
    const key = `${p.transA ? 'T' : 'N'}${p.transB ? 'T' : 'N'}`;
    let spec = specs.get(key);
    if (!spec) {
      spec = {
        name: `gemm_f16_${config.M}x${config.N}x${config.K}_${key}`,
        bindings: [{ name: 'A', type: 'f32' }, { name: 'B', type: 'f32' }, { name: 'OUT', type: 'f32', write: true }],
        body: source(config, p.transA, p.transB),
        enables: ['f16', 'subgroups', 'chromium_experimental_subgroup_matrix'],
        // The subgroup index li / 32 is uniform per subgroup on 32-wide hardware, which the analysis cannot prove.
        directives: ['diagnostic(off, chromium_experimental.subgroup_matrix_uniformity);'],
      };
      specs.set(key, spec);
    }
    ctx.rt.params().u(p.m).u(p.n).u(p.k).u(p.aOffset).u(p.bOffset).u(p.aBatchStride).u(p.bBatchStride).u(p.accumulate ? 1 : 0);
    ctx.rt.dispatch(spec, [a, b, out], [Math.ceil(p.n / BN), Math.ceil(p.m / BM), p.batch]);
  };
}
