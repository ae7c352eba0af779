import { isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from "yaml";

export interface Position {
  line: number;
  column: number;
}

/**
 * Finds where a JSON path sits in the YAML source. Paths that do not exist (a missing field) resolve to
 * the nearest existing ancestor, so every finding still points somewhere useful.
 */
export class YamlLocator {
  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  /** The position of the value at `path`. */
  valueAt(path: ReadonlyArray<string | number>): Position {
    return this.positionOf(this.nodeAt(path).node);
  }

  /** The position of the key `key` in the map at `path` (where an unknown field is named). */
  keyAt(path: ReadonlyArray<string | number>, key: string): Position {
    const { node, complete } = this.nodeAt(path);
    if (complete && isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === key);
      if (pair && isScalar(pair.key)) return this.positionOf(pair.key);
    }
    return this.positionOf(node);
  }

  private nodeAt(path: ReadonlyArray<string | number>): { node: Node | null; complete: boolean } {
    let node: unknown = this.doc.contents;
    for (const segment of path) {
      let next: unknown;
      if (isMap(node)) {
        const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
        next = pair?.value ?? (pair?.key as unknown);
      } else if (isSeq(node)) {
        next = node.items[Number(segment)];
      }
      if (next === undefined || next === null) return { node: node as Node, complete: false };
      node = next;
    }
    return { node: node as Node, complete: true };
  }

  private positionOf(node: unknown): Position {
    const range = isPair(node) ? undefined : (node as Node | null)?.range;
    if (!range) return { line: 1, column: 1 };
    const pos = this.lines.linePos(range[0]);
    return { line: pos.line, column: pos.col };
  }
}
