/** A link to the quoted upstream line behind a reason. */
export interface Evidence {
	href: string;
	label: string;
}

/** The shape the graph checks and path logic need; the zod schema adds field rules on top. */
export interface TreeLike {
	start: string;
	questions: {
		id: string;
		text: string;
		answers: {
			id: string;
			label: string;
			because: string;
			next: string;
			/** Links to the evidence of the facts behind the reason (see EvidenceLinks). */
			evidence?: Evidence[];
		}[];
	}[];
	outcomes: { id: string; title: string }[];
}

/**
 * Everything wrong with a tree as a graph, one message per problem, each naming the node:
 * duplicate ids, a missing start, a `next` that does not exist, a question that leads back to
 * itself (cycle), nodes no path reaches, and duplicate answer ids within a question.
 */
export function treeProblems(tree: TreeLike): string[] {
	const problems: string[] = [];
	const kinds = new Map<string, 'question' | 'outcome'>();
	for (const [kind, list] of [
		['question', tree.questions],
		['outcome', tree.outcomes],
	] as const) {
		for (const node of list) {
			if (kinds.has(node.id))
				problems.push(
					`node "${node.id}" is defined twice; ids must be unique across questions and outcomes`
				);
			kinds.set(node.id, kind);
		}
	}
	if (!kinds.has(tree.start)) problems.push(`start "${tree.start}" is not a question or outcome`);
	const byId = new Map(tree.questions.map((q) => [q.id, q]));
	for (const q of tree.questions) {
		const seen = new Set<string>();
		for (const a of q.answers) {
			if (seen.has(a.id)) problems.push(`question "${q.id}": answer id "${a.id}" is used twice`);
			seen.add(a.id);
			if (!kinds.has(a.next))
				problems.push(
					`question "${q.id}", answer "${a.id}": next "${a.next}" does not exist (dangling next)`
				);
		}
	}
	// Depth-first walk from the start: a node met again on the current path is a cycle.
	const reached = new Set<string>();
	const onPath = new Set<string>();
	const cycles = new Set<string>();
	const walk = (id: string) => {
		if (onPath.has(id)) {
			cycles.add(id);
			return;
		}
		if (reached.has(id)) return;
		reached.add(id);
		const q = byId.get(id);
		if (!q) return;
		onPath.add(id);
		for (const a of q.answers) if (kinds.has(a.next)) walk(a.next);
		onPath.delete(id);
	};
	if (kinds.has(tree.start)) walk(tree.start);
	for (const id of cycles)
		problems.push(
			`question "${id}" is part of a cycle: a path can come back to it, so it never ends in an outcome`
		);
	for (const id of kinds.keys()) {
		if (!reached.has(id))
			problems.push(
				`${kinds.get(id)} "${id}" is unreachable: no path from "${tree.start}" leads to it`
			);
	}
	for (const q of tree.questions) {
		if (q.answers.length === 0)
			problems.push(`question "${q.id}" is a dead end: it has no answers`);
	}
	return problems;
}
