import {
	summaryMarkdown,
	walkAnswers,
	encodeAnswers,
	reasons,
	type TreeLike,
	type Walk,
} from './tree';
import { announce, confirmCopy, copyText } from '../code/copy';

/**
 * Turns the server-rendered tree (every question and outcome as a section with anchor links)
 * into one step at a time. The answers live in `?answers=` so a copied link reopens the same
 * path, and each answer is a history entry so the Back button steps back through them.
 */
export function upgradeTree(root: HTMLElement): void {
	const tree = JSON.parse(
		root.querySelector('script[type="application/json"]')?.textContent ?? '{}'
	) as TreeLike;
	const nodes = new Map(
		[...root.querySelectorAll<HTMLElement>('.dt-node')].map((n) => [n.dataset['node'] ?? '', n])
	);
	const status = root.querySelector<HTMLElement>('.dt-status');
	const pathNav = root.querySelector<HTMLElement>('.dt-path');
	const pathList = pathNav?.querySelector('ol');
	const back = root.querySelector<HTMLButtonElement>('[data-action="back"]');
	const isOutcome = (id: string) => tree.outcomes.some((o) => o.id === id);
	let walk: Walk = walkAnswers(tree, new URLSearchParams(location.search).get('answers'));

	const render = (focus: boolean) => {
		for (const [id, node] of nodes) node.hidden = id !== walk.at;
		root.dataset['ready'] = '';
		if (status) {
			status.textContent = walk.stale
				? 'This link was partly out of date: it opens at the last step that still exists.'
				: '';
		}
		const said = reasons(tree, walk.steps);
		if (pathNav && pathList) {
			pathNav.hidden = said.length === 0;
			pathList.replaceChildren(
				...said.map((r) => {
					const li = document.createElement('li');
					li.textContent = `${r.question} ${r.answer}`;
					return li;
				})
			);
		}
		if (back) back.disabled = walk.steps.length === 0;
		const current = nodes.get(walk.at);
		const reasonsBox = current?.querySelector<HTMLElement>('.dt-reasons');
		if (reasonsBox) {
			reasonsBox.hidden = said.length === 0;
			reasonsBox.querySelector('ol')?.replaceChildren(
				...said.map((r) => {
					const li = document.createElement('li');
					li.textContent = r.because;
					// The same plain evidence links the server renders beside facts elsewhere.
					for (const e of r.evidence ?? []) {
						const a = document.createElement('a');
						a.className = 'fact-evidence';
						a.href = e.href;
						a.textContent = 'source';
						const sr = document.createElement('span');
						sr.className = 'sr-only';
						sr.textContent = `: ${e.label}`;
						a.append(sr);
						li.append(' ', a);
					}
					return li;
				})
			);
		}
		// The flowchart follows the path.
		const onPath = new Set([tree.start, ...walk.steps.map((s) => s.question), walk.at]);
		for (const g of root.querySelectorAll<SVGElement>('[data-flow-node]')) {
			g.classList.toggle('on-path', onPath.has(g.dataset['flowNode'] ?? ''));
		}
		const edges = new Set(walk.steps.map((s) => `${s.question}.${s.answer}`));
		for (const line of root.querySelectorAll<SVGElement>('[data-edge]')) {
			line.classList.toggle('on-path', edges.has(line.dataset['edge'] ?? ''));
		}
		if (focus && current) {
			current.querySelector<HTMLElement>('h2')?.focus();
			const title = current.querySelector('h2')?.textContent?.replace(/\s+/g, ' ').trim() ?? '';
			announce(isOutcome(walk.at) ? `${title}` : `Step ${walk.steps.length + 1}: ${title}`);
		}
	};

	const go = (next: Walk) => {
		walk = next;
		const url = new URL(location.href);
		url.hash = '';
		if (next.steps.length) url.searchParams.set('answers', encodeAnswers(next.steps));
		else url.searchParams.delete('answers');
		history.pushState({ tree: true }, '', url);
		render(true);
	};

	root.addEventListener('click', (e) => {
		const link = (e.target as Element | null)?.closest<HTMLAnchorElement>('a[data-answer]');
		if (!link) return;
		const question = link.closest<HTMLElement>('.dt-node')?.dataset['node'];
		if (question !== walk.at) return;
		e.preventDefault();
		go(
			walkAnswers(
				tree,
				encodeAnswers([...walk.steps, { question, answer: link.dataset['answer'] ?? '' }])
			)
		);
	});
	back?.addEventListener('click', () => {
		history.back();
	});
	root.querySelector('[data-action="restart"]')?.addEventListener('click', () => {
		go({ steps: [], at: tree.start, stale: false });
	});
	const copy = root.querySelector<HTMLButtonElement>('[data-action="copy"]');
	copy?.addEventListener('click', () => {
		void copyText(summaryMarkdown(tree, walk, location.origin + location.pathname)).then((ok) => {
			confirmCopy(copy, ok, 'Summary');
		});
	});
	window.addEventListener('popstate', () => {
		walk = walkAnswers(tree, new URLSearchParams(location.search).get('answers'));
		render(true);
	});
	// A link to one question or outcome (#q-memory) without answers shows that step.
	const target = location.hash.slice(1).replace(/^(q|outcome)-/, '');
	if (!new URLSearchParams(location.search).has('answers') && nodes.has(target))
		walk = { steps: [], at: target, stale: false };
	render(false);
}
