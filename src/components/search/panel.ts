import { loadPagefind, loadVocabulary, search, warmFragments, type Outcome } from './engine';
import { filtersFromUrl } from './filters';
import { resultKeys } from './keyboard';
import { explainOutcome, statusText } from './notices';
import { normalise } from './query-plan';
import { renderResults } from './results';
import { pausedParams } from '../../lib/url-state';

export interface Panel {
	run(query?: string): void;
	focus(): void;
}

/**
 * Wires one search panel (the header dialog, the search page or the 404 page): results as the
 * reader types, arrow keys and Enter, filters, notices, and the query kept in the address.
 */
export function attachPanel(panel: HTMLElement, base: string): Panel {
	const input = panel.querySelector<HTMLInputElement>('input[type="search"]');
	const list = panel.querySelector<HTMLUListElement>('.search-results');
	const status = panel.querySelector<HTMLElement>('.search-status');
	const notice = panel.querySelector<HTMLElement>('.search-notice');
	const boxes = [
		...panel.querySelectorAll<HTMLInputElement>('.search-filters input[type="checkbox"]'),
	];
	if (!input || !list || !status) return { run() {}, focus() {} };
	const valuesOf = (name: string) => boxes.filter((b) => b.name === name).map((b) => b.value);
	const initial = filtersFromUrl(location.search, {
		mesh: valuesOf('mesh'),
		kind: valuesOf('kind'),
	});
	for (const box of boxes)
		box.checked = (box.name === 'mesh' ? initial.mesh : initial.kind).includes(box.value);
	const keys = resultKeys(input, list);
	const links = {
		troubleshooting: panel.dataset['troubleshooting'],
		faq: panel.dataset['faq'],
		glossary: panel.dataset['glossary'],
	};
	let generation = 0;
	// The address follows the query once typing pauses, and before a result is followed.
	const address = pausedParams();
	list.addEventListener('click', address.flush, { capture: true });
	addEventListener('pagehide', address.flush);
	// Closing the dialog takes the query out of the address; a late write must not put it back.
	panel.closest('dialog')?.addEventListener('close', address.cancel);

	const checked = (name: string) =>
		boxes.filter((b) => b.name === name && b.checked).map((b) => b.value);
	const show = (outcome: Outcome, query: string, shown = query) => {
		renderResults(list, input, outcome.hits, shown);
		keys.reset();
		if (notice) explainOutcome(notice, outcome, query, links, (q, exact) => void again(q, exact));
	};

	const run = async (raw = input.value, exact = false) => {
		const query = raw.slice(0, 500);
		const mine = ++generation;
		address.set({ q: query.trim(), mesh: checked('mesh'), kind: checked('kind') });
		if (!normalise(query)) {
			show({ hits: [] }, query);
			status.textContent = query.trim() ? 'Type a word to search for.' : '';
			return;
		}
		const filters: Record<string, string[]> = {};
		for (const b of boxes) if (b.checked) (filters[b.name] ??= []).push(b.value);
		try {
			const [pf, lex] = await Promise.all([loadPagefind(base), loadVocabulary(base)]);
			const limit = Number(panel.dataset['limit']) || 6;
			const outcome = await search(pf, query, filters, limit, lex, exact);
			if (mine !== generation) return;
			show(outcome, query, outcome.searched ?? query);
			status.textContent = statusText(outcome);
			panel.dispatchEvent(new CustomEvent('kb:results', { bubbles: true }));
		} catch {
			if (mine !== generation) return;
			show({ hits: [] }, query);
			status.textContent = 'Search could not load. Reload the page and try again.';
		}
	};

	const again = async (query: string, exact = false) => {
		input.value = query;
		await run(query, exact);
		input.focus();
	};

	const searchAndWarm = () =>
		// Warm the rest of the index after the first results, so the download never delays them.
		void run()
			.then(() => loadPagefind(base))
			.then(warmFragments)
			.then(() => panel.dispatchEvent(new CustomEvent('kb:warm', { bubbles: true })));
	input.addEventListener('input', searchAndWarm);
	for (const b of boxes) b.addEventListener('change', () => void run());
	panel.querySelector('form')?.addEventListener('submit', (e) => {
		e.preventDefault();
		void run();
	});

	// Anything typed while the search code was still loading is searched now, and warms the index
	// as typing would have; a query from the address is searched without warming the rest. A value
	// the page put in the field itself (its `value` attribute: the 404 page's guess) waits for Enter.
	const typed = input.value === input.defaultValue ? '' : input.value;
	const q = new URLSearchParams(location.search).get('q');
	if (q && !input.value) input.value = q.slice(0, 500);
	if (typed) searchAndWarm();
	else if (input.value && input.value !== input.defaultValue) void run();
	// Until now Enter submitted the form to the search page, which works without this code.
	panel.dataset['ready'] = '';
	return {
		run: (query?: string) => {
			if (query !== undefined) input.value = query;
			void run();
		},
		focus: () => {
			input.focus();
		},
	};
}
