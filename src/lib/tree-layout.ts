import type { TreeLike } from './tree.ts';

export interface LaidOutNode {
	id: string;
	label: string;
	kind: 'question' | 'outcome';
	x: number;
	y: number;
}

export interface LaidOutEdge {
	from: string;
	to: string;
	answer: string;
}

export const box = { w: 170, h: 46, gapX: 24, gapY: 56, pad: 16 };

interface DrawableTree extends TreeLike {
	questions: (TreeLike['questions'][number] & { short: string })[];
	outcomes: (TreeLike['outcomes'][number] & { short: string })[];
}

/**
 * Layers a tree for drawing: each node sits one row below the deepest question that leads to
 * it, rows are centred, and outcomes share the last row so they line up as destinations.
 */
export function layoutTree(tree: DrawableTree): {
	nodes: LaidOutNode[];
	edges: LaidOutEdge[];
	width: number;
	height: number;
} {
	const depth = new Map<string, number>([[tree.start, 0]]);
	// Longest-path layering; the tree is acyclic (checked at build), so this terminates.
	let changed = true;
	while (changed) {
		changed = false;
		for (const q of tree.questions) {
			const d = depth.get(q.id);
			if (d === undefined) continue;
			for (const a of q.answers) {
				if ((depth.get(a.next) ?? -1) < d + 1) {
					depth.set(a.next, d + 1);
					changed = true;
				}
			}
		}
	}
	const questionRows = Math.max(0, ...tree.questions.map((q) => depth.get(q.id) ?? 0));
	for (const o of tree.outcomes) depth.set(o.id, questionRows + 1);
	const rows: string[][] = [];
	const ordered = [...tree.questions.map((q) => q.id), ...tree.outcomes.map((o) => o.id)];
	for (const id of ordered) (rows[depth.get(id) ?? 0] ??= []).push(id);
	const widest = Math.max(...rows.map((r) => r.length));
	const width = box.pad * 2 + widest * box.w + (widest - 1) * box.gapX;
	const labels = new Map<string, { label: string; kind: 'question' | 'outcome' }>([
		...tree.questions.map((q) => [q.id, { label: q.short, kind: 'question' as const }] as const),
		...tree.outcomes.map((o) => [o.id, { label: o.short, kind: 'outcome' as const }] as const),
	]);
	const nodes: LaidOutNode[] = [];
	rows.forEach((row, r) => {
		const rowWidth = row.length * box.w + (row.length - 1) * box.gapX;
		const left = (width - rowWidth) / 2;
		row.forEach((id, i) => {
			const l = labels.get(id);
			nodes.push({
				id,
				label: l?.label ?? id,
				kind: l?.kind ?? 'question',
				x: left + i * (box.w + box.gapX),
				y: box.pad + r * (box.h + box.gapY),
			});
		});
	});
	const edges = tree.questions.flatMap((q) =>
		q.answers.map((a) => ({ from: q.id, to: a.next, answer: a.id }))
	);
	return {
		nodes,
		edges,
		width,
		height: box.pad * 2 + rows.length * box.h + (rows.length - 1) * box.gapY,
	};
}

/** Splits a label into at most two lines of about `max` characters. */
export function wrapLabel(label: string, max = 22): string[] {
	const words = label.split(' ');
	const lines: string[] = [''];
	for (const w of words) {
		const cur = lines[lines.length - 1] ?? '';
		if (cur && (cur + ' ' + w).length > max && lines.length < 2) lines.push(w);
		else lines[lines.length - 1] = cur ? `${cur} ${w}` : w;
	}
	return lines;
}
