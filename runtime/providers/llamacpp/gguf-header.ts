import { open, type FileHandle } from "node:fs/promises";

/**
 * Reads and checks a GGUF file's header, metadata and tensor table in JS before llama.cpp sees it:
 * several malformed inputs make llama.cpp abort the whole process, which no try/catch can stop.
 * Only the front of the file is read; tensor data is checked against the file size, never loaded.
 */
export interface GgufSummary {
  version: number;
  tensorCount: number;
  metadataCount: number;
  architecture: string;
  alignment: number;
  hasChatTemplate: boolean;
  fileSize: number;
}

export class GgufFormatError extends Error {
  override readonly name = "GgufFormatError";
}

const MAGIC = 0x46554747; // "GGUF" read as a little-endian u32
const SUPPORTED_VERSIONS = new Set([2, 3]);
const MAX_DIMS = 4;
const MAX_ARRAY_NESTING = 4;
/** Far above any real model's strings (a chat template is tens of KB), far below what would exhaust memory. */
const MAX_STRING_BYTES = 16 * 1024 * 1024;

/** [bytes per block, elements per block] per ggml type id; ids absent here are removed or unknown types. */
const GGML_TYPE_SIZES: Record<number, readonly [number, number]> = {
  0: [4, 1], 1: [2, 1], 2: [18, 32], 3: [20, 32], 6: [22, 32], 7: [24, 32], 8: [34, 32], 9: [36, 32],
  10: [84, 256], 11: [110, 256], 12: [144, 256], 13: [176, 256], 14: [210, 256], 15: [292, 256],
  16: [66, 256], 17: [74, 256], 18: [98, 256], 19: [50, 256], 20: [18, 32], 21: [110, 256], 22: [82, 256],
  23: [136, 256], 24: [1, 1], 25: [2, 1], 26: [4, 1], 27: [8, 1], 28: [8, 1], 29: [56, 256], 30: [2, 1],
  34: [54, 256], 35: [66, 256], 39: [17, 32],
};

/** Fixed byte sizes of scalar metadata value types. */
const SCALAR_SIZES: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };
const TYPE_STRING = 8;
const TYPE_ARRAY = 9;

/** Sequential little-endian reads over a file handle, fetching chunks only as far as the parser goes. */
class FileCursor {
  private chunk = Buffer.alloc(0);
  private chunkStart = 0;
  position = 0;

  constructor(
    private readonly file: FileHandle,
    readonly size: number,
  ) {}

  private async ensure(n: number): Promise<Buffer> {
    if (this.position + n > this.size) throw new GgufFormatError(`unexpected end of file at byte ${this.position} (file is ${this.size} bytes)`);
    const start = this.position - this.chunkStart;
    if (start >= 0 && start + n <= this.chunk.length) return this.chunk.subarray(start, start + n);
    const length = Math.min(Math.max(n, 1 << 20), this.size - this.position);
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await this.file.read(buffer, 0, length, this.position);
    if (bytesRead < n) throw new GgufFormatError(`unexpected end of file at byte ${this.position + bytesRead}`);
    this.chunk = buffer.subarray(0, bytesRead);
    this.chunkStart = this.position;
    return this.chunk.subarray(0, n);
  }

  async u32(): Promise<number> {
    const value = (await this.ensure(4)).readUInt32LE(0);
    this.position += 4;
    return value;
  }

  async u64(): Promise<bigint> {
    const value = (await this.ensure(8)).readBigUInt64LE(0);
    this.position += 8;
    return value;
  }

  async string(what: string): Promise<string> {
    const length = await this.u64();
    if (length > BigInt(MAX_STRING_BYTES)) throw new GgufFormatError(`${what}: string length ${length} is implausible`);
    const bytes = await this.ensure(Number(length));
    this.position += Number(length);
    return bytes.toString("utf8");
  }

  async skip(n: bigint, what: string): Promise<void> {
    if (BigInt(this.position) + n > BigInt(this.size)) throw new GgufFormatError(`${what} runs past the end of the file`);
    this.position += Number(n);
  }
}

/** A count that must fit in the rest of the file, given each item needs at least `minBytes`. */
function checkCount(count: bigint, minBytes: number, cursor: FileCursor, what: string): number {
  const remaining = BigInt(cursor.size - cursor.position);
  if (count * BigInt(minBytes) > remaining) throw new GgufFormatError(`${what} ${count} cannot fit in a ${cursor.size}-byte file`);
  return Number(count);
}

async function readValue(cursor: FileCursor, type: number, key: string, depth = 0): Promise<unknown> {
  if (type === TYPE_STRING) return cursor.string(key);
  if (type === TYPE_ARRAY) {
    if (depth >= MAX_ARRAY_NESTING) throw new GgufFormatError(`${key}: arrays nested too deep`);
    const itemType = await cursor.u32();
    const count = await cursor.u64();
    const scalar = SCALAR_SIZES[itemType];
    if (scalar !== undefined) {
      await cursor.skip(count * BigInt(scalar), key);
      return undefined;
    }
    if (itemType !== TYPE_STRING && itemType !== TYPE_ARRAY) throw new GgufFormatError(`${key}: unknown array item type ${itemType}`);
    const items = checkCount(count, 8, cursor, `${key}: array length`);
    for (let i = 0; i < items; i++) await readValue(cursor, itemType, key, depth + 1);
    return undefined;
  }
  const size = SCALAR_SIZES[type];
  if (size === undefined) throw new GgufFormatError(`${key}: unknown value type ${type}`);
  if (type === 4) return cursor.u32();
  await cursor.skip(BigInt(size), key);
  return undefined;
}

export async function readGgufSummary(path: string): Promise<GgufSummary> {
  const file = await open(path, "r");
  try {
    const { size } = await file.stat();
    const cursor = new FileCursor(file, size);
    if (size < 24) throw new GgufFormatError(`file is ${size} bytes, too small for a GGUF header`);
    if ((await cursor.u32()) !== MAGIC) throw new GgufFormatError("not a GGUF file (bad magic)");
    const version = await cursor.u32();
    if (!SUPPORTED_VERSIONS.has(version)) throw new GgufFormatError(`unsupported GGUF version ${version}`);
    // Each tensor info needs at least 8 (name) + 4 (dims) + 4 (type) + 8 (offset) bytes; each key-value 8 + 4 + 1.
    const tensorCountRaw = await cursor.u64();
    const metadataCountRaw = await cursor.u64();
    const tensorCount = checkCount(tensorCountRaw, 24, cursor, "tensor count");
    const metadataCount = checkCount(metadataCountRaw, 13, cursor, "metadata count");

    let architecture: string | undefined;
    let alignment = 32;
    let hasChatTemplate = false;
    for (let i = 0; i < metadataCount; i++) {
      const key = await cursor.string("metadata key");
      const type = await cursor.u32();
      const value = await readValue(cursor, type, key);
      if (key === "general.architecture" && typeof value === "string") architecture = value;
      if (key === "general.alignment" && typeof value === "number") alignment = value;
      if (key === "tokenizer.chat_template") hasChatTemplate = true;
    }
    if (architecture === undefined) throw new GgufFormatError("general.architecture is missing");
    if (alignment === 0 || (alignment & (alignment - 1)) !== 0) throw new GgufFormatError(`general.alignment ${alignment} is not a power of two`);

    let dataBytes = 0n;
    for (let i = 0; i < tensorCount; i++) {
      const name = await cursor.string("tensor name");
      const dimCount = await cursor.u32();
      if (dimCount === 0 || dimCount > MAX_DIMS) throw new GgufFormatError(`tensor ${name}: ${dimCount} dimensions`);
      let elements = 1n;
      for (let d = 0; d < dimCount; d++) {
        const dim = await cursor.u64();
        if (dim === 0n || dim > 2n ** 40n) throw new GgufFormatError(`tensor ${name}: dimension ${dim}`);
        elements *= dim;
      }
      const type = await cursor.u32();
      const offset = await cursor.u64();
      if (offset % BigInt(alignment) !== 0n) throw new GgufFormatError(`tensor ${name}: offset ${offset} is not aligned to ${alignment}`);
      const sizes = GGML_TYPE_SIZES[type];
      if (sizes === undefined) throw new GgufFormatError(`tensor ${name}: unknown ggml type ${type}`);
      const [blockBytes, blockElements] = sizes;
      if (elements % BigInt(blockElements) !== 0n) throw new GgufFormatError(`tensor ${name}: ${elements} elements do not fill whole blocks of ${blockElements}`);
      const end = offset + (elements / BigInt(blockElements)) * BigInt(blockBytes);
      if (end > dataBytes) dataBytes = end;
    }

    const dataStart = BigInt(Math.ceil(cursor.position / alignment) * alignment);
    if (dataStart + dataBytes > BigInt(size)) {
      throw new GgufFormatError(`tensor data needs ${dataStart + dataBytes} bytes but the file has ${size} (truncated?)`);
    }
    return { version, tensorCount, metadataCount, architecture, alignment, hasChatTemplate, fileSize: size };
  } finally {
    await file.close();
  }
}
