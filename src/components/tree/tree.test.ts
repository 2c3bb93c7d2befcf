import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { decisionTreeSchema } from '../../schemas/decision-tree.ts';
import { loadDecisionTree } from '../../lib/content-files.ts';
import {
	encodeAnswers,
	reasons,
	summaryMarkdown,
	treeProblems,
	walkAnswers,
	type TreeLike,
} from './tree.ts';
import { layoutTree, wrapLabel } from './tree-layout.ts';

/** A question from a short spec: `q('a', 'x>b y>done')` has answers x (to b) and y (to done). */
const q = (id: string, answers: string) => ({
	id,
	text: `${id}?`,
	answers: answers
		.split(' ')
		.filter(Boolean)
		.map((spec) => {
			const [a = '', next = ''] = spec.split('>');
			return { id: a, label: a, because: `because ${a}`, next };
		}),
});
const tree = (
	questions: ReturnType<typeof q>[],
	outcomes = ['done', 'other'],
	start = 'a'
): TreeLike => ({
	start,
	questions,
	outcomes: outcomes.map((id) => ({ id, title: id })),
});

describe('decision tree checks', () => {
	it.each([
		['accept a well-formed tree', tree([q('a', 'x>b y>done'), q('b', 'x>done y>other')]), []],
		[
			'name a dangling next',
			tree([q('a', 'x>done y>nowhere')], ['done']),
			['question "a", answer "y": next "nowhere" does not exist (dangling next)'],
		],
		[
			'name a cycle',
			tree([q('a', 'x>b y>done'), q('b', 'x>a y>done')], ['done']),
			[
				'question "a" is part of a cycle: a path can come back to it, so it never ends in an outcome',
			],
		],
		[
			'name an unreachable node',
			tree([q('a', 'x>done y>done'), q('lost', 'x>done y>done')], ['done', 'orphan']),
			[
				'question "lost" is unreachable: no path from "a" leads to it',
				'outcome "orphan" is unreachable: no path from "a" leads to it',
			],
		],
		[
			'name a dead end',
			tree([q('a', 'x>b y>done'), q('b', '')], ['done']),
			['question "b" is a dead end: it has no answers'],
		],
		[
			'name duplicate ids and a missing start',
			tree([q('a', 'x>done x>done')], ['done', 'a'], 'zzz'),
			[
				'node "a" is defined twice; ids must be unique across questions and outcomes',
				'start "zzz" is not a question or outcome',
				'question "a": answer id "x" is used twice',
				'outcome "a" is unreachable: no path from "zzz" leads to it',
				'outcome "done" is unreachable: no path from "zzz" leads to it',
			],
		],
	])('%s', (_name, input, problems) => {
		expect(treeProblems(input)).toEqual(problems);
	});

	it('fail the schema for an outcome without a rationale or links, naming the field', () => {
		const data = parse(readFileSync('content/data/decision-tree.yaml', 'utf8')) as {
			outcomes: Record<string, unknown>[];
		};
		delete data.outcomes[0]?.['rationale'];
		data.outcomes[1] = { ...data.outcomes[1], links: [] };
		const result = decisionTreeSchema.safeParse(data);
		expect(result.success).toBe(false);
		expect(result.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
			'outcomes.0.rationale: every outcome needs a rationale',
			'outcomes.1.links: every outcome needs at least one link to the guides',
		]);
	});
});

describe('the real tree', () => {
	const real = loadDecisionTree('content/data/decision-tree.yaml', ['istio', 'linkerd']);

	it('reaches each of the required outcomes', () => {
		expect(real.outcomes.map((o) => o.id).sort()).toEqual([
			'istio-ambient',
			'istio-sidecar',
			'linkerd',
			'neither',
		]);
		expect(treeProblems(real)).toEqual([]);
	});

	it('rejects an outcome that names an unknown mesh', () => {
		expect(() => loadDecisionTree('content/data/decision-tree.yaml', ['istio'])).toThrow(
			'outcome "linkerd" names mesh "linkerd", not an id in content/data/meshes.yaml'
		);
	});

	it('lays every node out without overlap, with a label on every edge clear of the boxes', () => {
		const { nodes, edges, width, height } = layoutTree(real);
		const overlaps = (
			a: { x: number; y: number; w: number; h: number },
			b: { x: number; y: number; w: number; h: number }
		) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
		for (const [i, a] of nodes.entries()) {
			expect(a.x).toBeGreaterThanOrEqual(0);
			expect(a.x + a.w).toBeLessThanOrEqual(width);
			expect(a.y + a.h).toBeLessThanOrEqual(height);
			for (const b of nodes.slice(i + 1)) expect(overlaps(a, b), `${a.id} and ${b.id}`).toBe(false);
		}
		const answers = real.questions.reduce((n, q) => n + q.answers.length, 0);
		expect(edges).toHaveLength(answers);
		for (const e of edges) {
			expect(e.label.length).toBeGreaterThan(0);
			const label = { x: e.labelX - e.labelW / 2, y: e.labelY - 8, w: e.labelW, h: 16 };
			for (const n of nodes)
				expect(overlaps(label, n), `${e.from}.${e.answer} on ${n.id}`).toBe(false);
		}
		const outcomeRows = new Set(nodes.filter((n) => n.kind === 'outcome').map((n) => n.y + n.h));
		expect(outcomeRows.size).toBe(1);
		expect(wrapLabel('Any of the four problems a blocker?')).toEqual([
			'Any of the four',
			'problems a blocker?',
		]);
	});
});

describe('answers in the URL', () => {
	const t = tree([q('a', 'x>b y>done'), q('b', 'x>done y>other')]);

	it('round-trip a path to the same outcome', () => {
		const walk = walkAnswers(t, 'x.y');
		expect(walk).toEqual({
			steps: [
				{ question: 'a', answer: 'x' },
				{ question: 'b', answer: 'y' },
			],
			at: 'other',
			stale: false,
		});
		expect(encodeAnswers(walk.steps)).toBe('x.y');
	});

	it('stop at the last valid step on unknown or extra answers, and say so', () => {
		expect(walkAnswers(t, 'x.nope.y')).toEqual({
			steps: [{ question: 'a', answer: 'x' }],
			at: 'b',
			stale: true,
		});
		expect(walkAnswers(t, 'y.x')).toEqual({
			steps: [{ question: 'a', answer: 'y' }],
			at: 'done',
			stale: true,
		});
	});

	it('survive garbage', () => {
		for (const junk of ['<script>', '....', '%%%', 'x'.repeat(10_000), null, undefined, '']) {
			const walk = walkAnswers(t, junk);
			expect(['a', 'b', 'done', 'other']).toContain(walk.at);
		}
		expect(walkAnswers(t, '').stale).toBe(false);
		expect(walkAnswers(t, '<script>').stale).toBe(true);
	});

	it('explain the path and summarise it as Markdown', () => {
		const walk = walkAnswers(t, 'x.y');
		expect(reasons(t, walk.steps)).toEqual([
			{ question: 'a?', answer: 'x', because: 'because x' },
			{ question: 'b?', answer: 'y', because: 'because y' },
		]);
		expect(summaryMarkdown(t, walk, 'https://guide/decide/tree/')).toBe(
			'**Service mesh decision: other** ([open the decision](https://guide/decide/tree/?answers=x.y))\n\n- a? **x**. because x\n- b? **y**. because y\n'
		);
	});

	it('link only the page and the walk’s own answers, whatever the address held', () => {
		// A crafted link: Markdown hidden in the answers, another parameter and the fragment.
		const walk = walkAnswers(t, 'x.y](https://evil.example/)');
		const md = summaryMarkdown(t, walk, 'https://guide/decide/tree/(x)[y]/');
		expect(md.split('\n')[0]).toBe(
			'**Service mesh decision: not finished** ([open the decision](https://guide/decide/tree/%28x%29%5By%5D/?answers=x))'
		);
		expect(md).not.toContain('evil');
		expect(summaryMarkdown(t, walkAnswers(t, ''), 'https://guide/decide/tree/')).toContain(
			'([open the decision](https://guide/decide/tree/))'
		);
	});
});
