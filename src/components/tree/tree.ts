import type { Evidence, TreeLike } from '../../schemas/decision-tree-graph.ts';

// The graph checks live with the tree's schema; the tests and layout import them from here too.
export { treeProblems, type Evidence, type TreeLike } from '../../schemas/decision-tree-graph.ts';

export interface Step {
	question: string;
	answer: string;
}

/** Where a (possibly stale or hand-edited) answer list leads. */
export interface Walk {
	steps: Step[];
	/** The node the reader is at: a question to answer, or the outcome reached. */
	at: string;
	/** True when part of the list did not fit the tree and was dropped. */
	stale: boolean;
}

const separator = '.';

/** Answer ids in order, as kept in the URL: `yes.yes.none`. */
export function encodeAnswers(steps: Step[]): string {
	return steps.map((s) => s.answer).join(separator);
}

/**
 * Follows answer ids from the start as far as they fit the tree. Unknown answers, answers
 * after an outcome, and garbage stop the walk at the last valid step and mark it stale.
 */
export function walkAnswers(tree: TreeLike, encoded: string | null | undefined): Walk {
	const byId = new Map(tree.questions.map((q) => [q.id, q]));
	const raw = (encoded ?? '').slice(0, 500).trim();
	const ids = raw ? raw.split(separator) : [];
	const steps: Step[] = [];
	let at = tree.start;
	for (const [i, id] of ids.entries()) {
		const q = byId.get(at);
		const answer = q?.answers.find((a) => a.id === id);
		if (!q || !answer) return { steps, at, stale: true };
		steps.push({ question: q.id, answer: answer.id });
		at = answer.next;
		if (i > 50) return { steps, at, stale: true };
	}
	return { steps, at, stale: false };
}

/** The reasons along a path, in order: what the reader said and why it mattered. */
export function reasons(
	tree: TreeLike,
	steps: Step[]
): { question: string; answer: string; because: string; evidence?: Evidence[] }[] {
	return steps.flatMap((s) => {
		const q = tree.questions.find((x) => x.id === s.question);
		const a = q?.answers.find((x) => x.id === s.answer);
		if (!q || !a) return [];
		const said = { question: q.text, answer: a.label, because: a.because };
		return [a.evidence ? { ...said, evidence: a.evidence } : said];
	});
}

/**
 * The path and outcome as Markdown, for a ticket or design review. Built only from the tree's own
 * data and the walk's answer ids: the link is `page` (the tree page's origin and path) with the
 * walk's own `?answers=`, so nothing else from the address the reader opened (other parameters,
 * a fragment, Markdown hidden in them) reaches the clipboard.
 */
export function summaryMarkdown(tree: TreeLike, walk: Walk, page: string): string {
	const outcome = tree.outcomes.find((o) => o.id === walk.at);
	const link = new URL(page);
	link.search = walk.steps.length ? `?answers=${encodeAnswers(walk.steps)}` : '';
	link.hash = '';
	// URL encoding leaves these as they are; in a Markdown link they would end it or start another.
	const href = link.href.replace(
		/[()[\]<> ]/g,
		(c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`
	);
	const lines = [
		`**Service mesh decision: ${outcome?.title ?? 'not finished'}** ([open the decision](${href}))`,
		'',
	];
	for (const r of reasons(tree, walk.steps))
		lines.push(`- ${r.question} **${r.answer}**. ${r.because}`);
	return `${lines.join('\n')}\n`;
}
