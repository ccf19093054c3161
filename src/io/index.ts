// io: safetensors read and write, F16/BF16 conversions, atomic file writes.

export { writeFileAtomic, writeFileAtomicSync, writeJsonAtomic, writeJsonAtomicSync } from './atomic-write.js';
export type { AtomicData } from './atomic-write.js';
export {
  bf16ToFloat32,
  f16BitsToFloat32Bits,
  f16ToFloat32,
  float32ToBF16,
  float32ToF16,
  fromFloat32,
  toFloat32,
} from './half.js';
export {
  isSafeDType,
  MAX_HEADER_BYTES,
  safeDTypeSize,
  SafetensorsError,
} from './safetensors-dtype.js';
export type {
  SafeDType,
  SafeTensor,
  SafeTensorData,
  SafetensorsContents,
  SafetensorsPart,
} from './safetensors-dtype.js';
export { decodeSafetensors, encodeSafetensors, loadSafetensors, saveSafetensors } from './safetensors.js';
export { saveStateDict, loadStateDict, toSafeTensors, fromSafeTensors, type StorageDType, type SaveStateDictOptions } from './state-dict.js';
