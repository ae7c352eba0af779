import { isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from "yaml";

export interface Position {
  line: number;
  column: number;
}

/** A rewritten path (`from` and below) whose source sits at `to` in the file as written. */
export interface PathAlias {
  from: ReadonlyArray<string | number>;
  to: ReadonlyArray<string | number>;
}

/**
 * Finds where a JSON path sits in the YAML source. Paths that do not exist (a missing field) resolve to
 * the nearest existing ancestor, so every finding still points somewhere useful.
 */
export class YamlLocator {
  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
    private readonly aliases: readonly PathAlias[] = [],
  ) {}

  /** The same file, for data that was rewritten after parsing (LlamaFarm's older shapes). */
  withAliases(aliases: readonly PathAlias[]): YamlLocator {
    return aliases.length === 0 ? this : new YamlLocator(this.doc, this.lines, [...this.aliases, ...aliases]);
  }

  /** The position of the value at `path`. */
  valueAt(path: ReadonlyArray<string | number>): Position {
    return this.positionOf(this.nodeAt(this.writtenPath(path)).node);
  }

  /** The position of the key `key` in the map at `path` (where an unknown field is named). */
  keyAt(path: ReadonlyArray<string | number>, key: string): Position {
    const parent = this.writtenPath(path);
    const full = this.writtenPath([...path, key]);
    // An alias that covers the key itself moved it: point at what it came from.
    if (full.length !== parent.length + 1 || full[parent.length] !== key) return this.positionOf(this.nodeAt(full).node);
    const { node, complete } = this.nodeAt(parent);
    if (complete && isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === key);
      if (pair && isScalar(pair.key)) return this.positionOf(pair.key);
    }
    return this.positionOf(node);
  }

  /** Where a path of the rewritten data sits in the file: the longest alias that prefixes it wins. */
  writtenPath(path: ReadonlyArray<string | number>): ReadonlyArray<string | number> {
    let best: PathAlias | undefined;
    for (const alias of this.aliases) {
      if (alias.from.length <= path.length && alias.from.every((s, i) => s === path[i]) && alias.from.length > (best?.from.length ?? -1)) best = alias;
    }
    return best ? [...best.to, ...path.slice(best.from.length)] : path;
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
