import { isMap, isScalar, isSeq, type LineCounter, type Node } from 'yaml';
import type { Segment } from './types.ts';

/** `spec.rules[0].to` from `['spec', 'rules', 0, 'to']`. */
export function pathText(segments: Segment[]): string {
	return segments.reduce<string>(
		(acc, s) => (typeof s === 'number' ? `${acc}[${s}]` : acc ? `${acc}.${s}` : s),
		''
	);
}

/** Line of the node at `segments` (or of the nearest ancestor that exists). */
export function lineOf(
	root: Node | null | undefined,
	segments: Segment[],
	counter: LineCounter,
	keyOf?: string
): number {
	let node: unknown = root;
	let line = root?.range ? counter.linePos(root.range[0]).line : 1;
	const all = keyOf === undefined ? segments : [...segments, keyOf];
	for (const seg of all) {
		if (isMap(node)) {
			const pair = node.items.find((p) => isScalar(p.key) && p.key.value === seg);
			if (!pair) break;
			// The key's line reads best: "spec:" for a missing child, "mode:" for a bad value.
			const range = (pair.key as Node | null)?.range ?? (pair.value as Node | null)?.range;
			if (range) line = counter.linePos(range[0]).line;
			node = pair.value;
		} else if (isSeq(node) && typeof seg === 'number') {
			const item = node.items[seg] as Node | undefined;
			if (!item?.range) break;
			line = counter.linePos(item.range[0]).line;
			node = item;
		} else break;
	}
	return line;
}
