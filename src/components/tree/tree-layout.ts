import dagre from '@dagrejs/dagre';
import type { TreeLike } from './tree.ts';

export interface LaidOutNode {
	id: string;
	/** The box's text, already wrapped into lines. */
	lines: string[];
	kind: 'question' | 'outcome';
	/** Top-left corner. */
	x: number;
	y: number;
	w: number;
	h: number;
}

export interface LaidOutEdge {
	from: string;
	to: string;
	answer: string;
	/** The answer's short label, drawn on the edge. */
	label: string;
	/** SVG path data through the layout's bend points. */
	d: string;
	/** Centre of the label. */
	labelX: number;
	labelY: number;
	labelW: number;
}

export interface TreeLayout {
	nodes: LaidOutNode[];
	edges: LaidOutEdge[];
	width: number;
	height: number;
}

/** Sizes in SVG units; the text sizes match the flowchart's CSS. */
export const box = { w: 150, lineH: 15, padY: 10, charW: 6.4, labelCharW: 6.4, labelH: 16, pad: 8 };

interface DrawableTree extends TreeLike {
	questions: (Omit<TreeLike['questions'][number], 'answers'> & {
		short: string;
		answers: (TreeLike['questions'][number]['answers'][number] & { short: string })[];
	})[];
	outcomes: (TreeLike['outcomes'][number] & { short: string })[];
}

const round = (n: number) => Math.round(n * 10) / 10;

/** A smooth path through dagre's points: straight ends, quadratic bends in between. */
function pathThrough(points: { x: number; y: number }[]): string {
	const [first, ...rest] = points;
	if (!first) return '';
	let d = `M${round(first.x)},${round(first.y)}`;
	for (let i = 0; i < rest.length; i++) {
		const p = rest[i];
		const next = rest[i + 1];
		if (!p) continue;
		if (next && i < rest.length - 1) {
			const mx = (p.x + next.x) / 2;
			const my = (p.y + next.y) / 2;
			d += ` Q${round(p.x)},${round(p.y)} ${round(mx)},${round(my)}`;
		} else d += ` L${round(p.x)},${round(p.y)}`;
	}
	return d;
}

/**
 * Lays the tree out as a layered graph (dagre's Sugiyama layout: longest-path ranks, crossing
 * reduction, then coordinates), at build time only. Edge labels take part in the layout, so
 * they never sit on a box, and outcomes share the bottom rank as destinations.
 */
export function layoutTree(tree: DrawableTree): TreeLayout {
	const g = new dagre.graphlib.Graph({ multigraph: true });
	g.setGraph({
		rankdir: 'TB',
		nodesep: 18,
		ranksep: 34,
		edgesep: 10,
		marginx: box.pad,
		marginy: box.pad,
		ranker: 'longest-path',
	});
	g.setDefaultEdgeLabel(() => ({}));
	const kinds = new Map<string, { lines: string[]; kind: 'question' | 'outcome' }>();
	for (const q of tree.questions) kinds.set(q.id, { lines: wrapLabel(q.short), kind: 'question' });
	for (const o of tree.outcomes) kinds.set(o.id, { lines: wrapLabel(o.short), kind: 'outcome' });
	for (const [id, n] of kinds)
		g.setNode(id, { width: box.w, height: n.lines.length * box.lineH + box.padY * 2 });
	// Same rank for every outcome: an invisible sink below them all keeps them level.
	for (const q of tree.questions)
		for (const a of q.answers) {
			const labelW = a.short.length * box.labelCharW + 10;
			g.setEdge(
				q.id,
				a.next,
				{ width: labelW, height: box.labelH, labelpos: 'c' } as never,
				`${q.id}.${a.id}`
			);
		}
	dagre.layout(g);
	const nodes: LaidOutNode[] = [];
	for (const [id, n] of kinds) {
		const laid = g.node(id) as { x: number; y: number; width: number; height: number };
		nodes.push({
			id,
			lines: n.lines,
			kind: n.kind,
			x: round(laid.x - laid.width / 2),
			y: round(laid.y - laid.height / 2),
			w: laid.width,
			h: laid.height,
		});
	}
	const edges: LaidOutEdge[] = tree.questions.flatMap((q) =>
		q.answers.map((a) => {
			const e = g.edge(q.id, a.next, `${q.id}.${a.id}`) as unknown as {
				points: { x: number; y: number }[];
				x: number;
				y: number;
				width: number;
			};
			return {
				from: q.id,
				to: a.next,
				answer: a.id,
				label: a.short,
				d: pathThrough(e.points),
				labelX: round(e.x),
				labelY: round(e.y),
				labelW: e.width,
			};
		})
	);
	const graph = g.graph() as { width?: number; height?: number };
	return { nodes, edges, width: Math.ceil(graph.width ?? 0), height: Math.ceil(graph.height ?? 0) };
}

/** Splits a label into lines of about `max` characters, at most three. */
export function wrapLabel(label: string, max = 20): string[] {
	const words = label.split(' ');
	const lines: string[] = [''];
	for (const w of words) {
		const cur = lines[lines.length - 1] ?? '';
		if (cur && (cur + ' ' + w).length > max && lines.length < 3) lines.push(w);
		else lines[lines.length - 1] = cur ? `${cur} ${w}` : w;
	}
	return lines;
}
