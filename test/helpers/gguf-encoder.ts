/** A minimal GGUF v3 encoder: enough of the format to synthesize test models (spec: ggml docs/gguf.md). */

export const GGUF_MAGIC = "GGUF";
export const GGUF_DEFAULT_ALIGNMENT = 32;

export const GgufValueType = {
  UINT8: 0,
  INT8: 1,
  UINT16: 2,
  INT16: 3,
  UINT32: 4,
  INT32: 5,
  FLOAT32: 6,
  BOOL: 7,
  STRING: 8,
  ARRAY: 9,
  UINT64: 10,
  INT64: 11,
  FLOAT64: 12,
} as const;

export type GgufValue =
  | { type: "u32"; value: number }
  | { type: "i32"; value: number }
  | { type: "f32"; value: number }
  | { type: "bool"; value: boolean }
  | { type: "string"; value: string }
  | { type: "string[]"; value: string[] }
  | { type: "i32[]"; value: number[] }
  | { type: "f32[]"; value: number[] };

export interface GgufTensor {
  name: string;
  /** ggml order: `dims[0]` is the contiguous (innermost) dimension. */
  dims: number[];
  data: Float32Array;
}

const GGML_TYPE_F32 = 0;

/** Appends little-endian values to a growing buffer. */
class ByteWriter {
  private buffer = Buffer.alloc(64 * 1024);
  length = 0;

  private reserve(n: number): void {
    if (this.length + n <= this.buffer.length) return;
    const next = Buffer.alloc(Math.max(this.buffer.length * 2, this.length + n));
    this.buffer.copy(next, 0, 0, this.length);
    this.buffer = next;
  }

  u32(value: number): void {
    this.reserve(4);
    this.length = this.buffer.writeUInt32LE(value, this.length);
  }
  i32(value: number): void {
    this.reserve(4);
    this.length = this.buffer.writeInt32LE(value, this.length);
  }
  f32(value: number): void {
    this.reserve(4);
    this.length = this.buffer.writeFloatLE(value, this.length);
  }
  u64(value: number | bigint): void {
    this.reserve(8);
    this.length = this.buffer.writeBigUInt64LE(BigInt(value), this.length);
  }
  u8(value: number): void {
    this.reserve(1);
    this.length = this.buffer.writeUInt8(value, this.length);
  }
  bytes(data: Uint8Array): void {
    this.reserve(data.length);
    this.buffer.set(data, this.length);
    this.length += data.length;
  }
  string(value: string): void {
    const encoded = Buffer.from(value, "utf8");
    this.u64(encoded.length);
    this.bytes(encoded);
  }
  padTo(alignment: number): void {
    const padding = (alignment - (this.length % alignment)) % alignment;
    this.bytes(new Uint8Array(padding));
  }
  toBuffer(): Buffer {
    return this.buffer.subarray(0, this.length);
  }
}

function writeValue(out: ByteWriter, value: GgufValue): void {
  switch (value.type) {
    case "u32":
      out.u32(GgufValueType.UINT32);
      out.u32(value.value);
      return;
    case "i32":
      out.u32(GgufValueType.INT32);
      out.i32(value.value);
      return;
    case "f32":
      out.u32(GgufValueType.FLOAT32);
      out.f32(value.value);
      return;
    case "bool":
      out.u32(GgufValueType.BOOL);
      out.u8(value.value ? 1 : 0);
      return;
    case "string":
      out.u32(GgufValueType.STRING);
      out.string(value.value);
      return;
    case "string[]":
      out.u32(GgufValueType.ARRAY);
      out.u32(GgufValueType.STRING);
      out.u64(value.value.length);
      for (const item of value.value) out.string(item);
      return;
    case "i32[]":
      out.u32(GgufValueType.ARRAY);
      out.u32(GgufValueType.INT32);
      out.u64(value.value.length);
      for (const item of value.value) out.i32(item);
      return;
    case "f32[]":
      out.u32(GgufValueType.ARRAY);
      out.u32(GgufValueType.FLOAT32);
      out.u64(value.value.length);
      for (const item of value.value) out.f32(item);
      return;
  }
}

/** Header, metadata, tensor infos, then F32 tensor data, each tensor aligned to `general.alignment`. */
export function encodeGguf(metadata: ReadonlyMap<string, GgufValue>, tensors: readonly GgufTensor[]): Buffer {
  const alignmentValue = metadata.get("general.alignment");
  const alignment = alignmentValue?.type === "u32" ? alignmentValue.value : GGUF_DEFAULT_ALIGNMENT;
  const out = new ByteWriter();
  out.bytes(Buffer.from(GGUF_MAGIC, "ascii"));
  out.u32(3);
  out.u64(tensors.length);
  out.u64(metadata.size);
  for (const [key, value] of metadata) {
    out.string(key);
    writeValue(out, value);
  }

  let offset = 0;
  for (const tensor of tensors) {
    const elements = tensor.dims.reduce((a, b) => a * b, 1);
    if (elements !== tensor.data.length) throw new Error(`tensor ${tensor.name}: ${tensor.data.length} values for dims ${tensor.dims.join("x")}`);
    out.string(tensor.name);
    out.u32(tensor.dims.length);
    for (const dim of tensor.dims) out.u64(dim);
    out.u32(GGML_TYPE_F32);
    out.u64(offset);
    offset += Math.ceil((elements * 4) / alignment) * alignment;
  }

  out.padTo(alignment);
  for (const tensor of tensors) {
    out.bytes(new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength));
    out.padTo(alignment);
  }
  return out.toBuffer();
}
