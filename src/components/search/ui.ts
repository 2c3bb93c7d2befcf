import searchCssUrl from './search.css?url';
import {
	loadPagefind,
	loadVocabulary,
	search,
	warmFragments,
	type Hit,
	type Outcome,
} from './engine';
import { keyTerms, normalise } from './query-plan';
import { readParams, replaceParams } from '../../lib/url-state';

/**
 * Filters from the URL (`?mesh=istio&kind=faq`), ignoring values that do not exist. The values
 * that exist are the panel's own checkboxes, which the build draws from content/data/meshes.yaml
 * and the page kinds, so nothing here repeats those lists.
 */
export function filtersFromUrl(
	search: string,
	allowed: { mesh: string[]; kind: string[] }
): { mesh: string[]; kind: string[] } {
	return {
		mesh: readParams(search, 'mesh').filter((v) => allowed.mesh.includes(v)),
		kind: readParams(search, 'kind').filter((v) => allowed.kind.includes(v)),
	};
}

function hitHref(hit: Hit, query: string): string {
	const terms = keyTerms(normalise(query)).slice(0, 5);
	if (terms.length === 0) return hit.url;
	const url = new URL(hit.url, location.href);
	url.searchParams.set('hl', terms.join(' '));
	return url.pathname + url.search + url.hash;
}

/**
 * Styles for the header dialog arrive with the search code, not with every page; the search
 * and 404 pages link the same file themselves.
 */
function ensureStyles(): void {
	if (document.querySelector(`link[href="${searchCssUrl}"]`)) return;
	const link = document.createElement('link');
	link.rel = 'stylesheet';
	link.href = searchCssUrl;
	document.head.append(link);
}

/** Downloads Pagefind, its index entry and the site's vocabulary ahead of the first search. */
export function warm(base: string): void {
	void loadPagefind(base).catch(() => undefined);
	void loadVocabulary(base);
}

const el = (tag: string, cls: string, text?: string) => {
	const e = document.createElement(tag);
	e.className = cls;
	if (text !== undefined) e.textContent = text;
	return e;
};

/** A button that searches for `query` when pressed: corrections and suggestions are one key away. */
function searchButton(label: string, onPress: () => void): HTMLButtonElement {
	const b = document.createElement('button');
	b.type = 'button';
	b.className = 'search-suggestion';
	b.textContent = label;
	b.addEventListener('click', onPress);
	return b;
}

/**
 * Wires one search panel (the header dialog, the search page or the 404 page): results as the
 * reader types, arrow keys and Enter, filters, and the query kept in the address.
 */
export function attachPanel(
	panel: HTMLElement,
	base: string
): { run(query?: string): void; focus(): void } {
	ensureStyles();
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
	let active = -1;
	let generation = 0;

	const options = () => [...list.querySelectorAll<HTMLAnchorElement>('a[role="option"]')];
	const setActive = (i: number) => {
		const all = options();
		active = all.length === 0 ? -1 : (i + all.length) % all.length;
		all.forEach((li, n) => li.setAttribute('aria-selected', String(n === active)));
		const current = all[active];
		if (current) {
			input.setAttribute('aria-activedescendant', current.id);
			current.scrollIntoView({ block: 'nearest' });
		} else input.removeAttribute('aria-activedescendant');
	};

	const saveUrl = (query: string) => {
		const checked = (name: string) => boxes.filter((b) => b.name === name && b.checked);
		replaceParams({
			q: query,
			mesh: checked('mesh').map((b) => b.value),
			kind: checked('kind').map((b) => b.value),
		});
	};

	const render = (hits: Hit[], query: string) => {
		list.replaceChildren(
			...hits.map((hit, i) => {
				// The link itself is the option: an option may not contain a focusable link.
				const li = document.createElement('li');
				li.setAttribute('role', 'none');
				const a = document.createElement('a');
				a.id = `${list.id}-${i}`;
				a.setAttribute('role', 'option');
				a.setAttribute('aria-selected', 'false');
				a.href = hitHref(hit, query);
				a.tabIndex = -1;
				const page = document.createElement('span');
				page.className = 'hit-page';
				page.textContent = hit.page;
				a.append(page);
				if (hit.section && hit.section !== hit.page) {
					const section = document.createElement('span');
					section.className = 'hit-section';
					section.textContent = ` › ${hit.section}`;
					a.append(section);
				}
				if (hit.kind) {
					const kind = document.createElement('span');
					kind.className = 'hit-kind';
					kind.textContent = hit.kind;
					a.prepend(kind);
				}
				const excerpt = document.createElement('span');
				excerpt.className = 'hit-excerpt';
				// safeExcerpt escaped everything except <mark>.
				excerpt.innerHTML = hit.excerpt;
				a.append(excerpt);
				li.append(a);
				return li;
			})
		);
		input.setAttribute('aria-expanded', String(hits.length > 0));
		active = -1;
		input.removeAttribute('aria-activedescendant');
	};

	/** Links to the places to browse when search has nothing (or nothing good): FAQ, glossary, troubleshooting. */
	const browseLine = (lead: string) => {
		const browse = el('p', 'notice-line', lead);
		const links = [
			['troubleshooting by error text', panel.dataset['troubleshooting']],
			['the FAQ', panel.dataset['faq']],
			['the glossary', panel.dataset['glossary']],
		] as const;
		links.forEach(([label, href], i) => {
			const link = document.createElement('a');
			link.href = href ?? '#';
			link.textContent = label;
			if (i > 0) browse.append(i === links.length - 1 ? ', or ' : ', ');
			browse.append(link);
		});
		return browse;
	};

	/**
	 * Says what search did with the query: the corrected query it ran (with the way back to what
	 * was typed), or that nothing on the site matches, with close words and places to browse.
	 */
	const explain = (outcome: Outcome, typed: string) => {
		if (!notice) return;
		notice.replaceChildren();
		notice.hidden = true;
		const a = outcome.analysis;
		if (a?.empty) {
			notice.hidden = false;
			const p = el('p', 'notice-line');
			p.append('Nothing on this site matches ', el('strong', '', typed.trim()), '.');
			notice.append(p);
			if (a.didYouMean.length > 0) {
				const dym = el('p', 'notice-line', 'Did you mean: ');
				a.didYouMean.forEach((w, i) => {
					if (i > 0) dym.append(' ');
					dym.append(searchButton(w, () => void runWith(w)));
				});
				notice.append(dym);
			}
			notice.append(browseLine('Or browse: '));
			return;
		}
		if (outcome.weak && outcome.weak.length > 0 && outcome.hits.length > 0) {
			// The results miss the query's telling words: say so, and offer the places to browse
			// that the empty state offers.
			notice.hidden = false;
			const p = el('p', 'notice-line search-weak');
			p.append('No page here holds ');
			outcome.weak.slice(0, 3).forEach((w, i) => {
				if (i > 0) p.append(i === Math.min(outcome.weak?.length ?? 0, 3) - 1 ? ' or ' : ', ');
				p.append(el('strong', '', w));
			});
			p.append(', so these results may not answer it.');
			notice.append(p, browseLine('Try '));
		}
		if (outcome.searched !== undefined) {
			notice.hidden = false;
			const p = el('p', 'notice-line');
			p.append('Showing results for ', el('em', '', outcome.searched), '; ');
			p.append(searchButton(`search instead for ${typed.trim()}`, () => void runWith(typed, true)));
			notice.append(p);
			if (a && a.unknown.length > 0)
				notice.append(
					el('p', 'notice-line', `Not on this site, so left out: ${a.unknown.join(', ')}.`)
				);
		}
	};

	const runWith = async (query: string, exact = false) => {
		input.value = query;
		await run(query, exact);
		input.focus();
	};

	const run = async (raw = input.value, exact = false) => {
		const query = raw.slice(0, 500);
		const mine = ++generation;
		saveUrl(query.trim());
		if (!normalise(query)) {
			render([], query);
			explain({ hits: [] }, query);
			status.textContent = query.trim() ? 'Type a word to search for.' : '';
			return;
		}
		const filters: Record<string, string[]> = {};
		for (const b of boxes) if (b.checked) (filters[b.name] ??= []).push(b.value);
		try {
			const [pf, lex] = await Promise.all([loadPagefind(base), loadVocabulary(base)]);
			const outcome = await search(
				pf,
				query,
				filters,
				Number(panel.dataset['limit']) || 6,
				lex,
				exact
			);
			if (mine !== generation) return;
			const { hits } = outcome;
			render(hits, outcome.searched ?? query);
			explain(outcome, query);
			status.textContent = outcome.analysis?.empty
				? 'Nothing on this site matches.'
				: hits.length
					? `${hits.length} result${hits.length === 1 ? '' : 's'}${outcome.searched ? ` for ${outcome.searched}` : ''}`
					: 'No results. Try fewer or different words, or clear the filters.';
			panel.dispatchEvent(new CustomEvent('kb:results', { bubbles: true }));
		} catch {
			if (mine !== generation) return;
			render([], query);
			explain({ hits: [] }, query);
			status.textContent = 'Search could not load. Reload the page and try again.';
		}
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
	input.addEventListener('keydown', (e) => {
		if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
			e.preventDefault();
			setActive(active + (e.key === 'ArrowDown' ? 1 : -1));
		} else if (e.key === 'Enter') {
			const target = options()[Math.max(active, 0)];
			if (target) {
				e.preventDefault();
				target.click();
			}
		}
	});

	// Anything typed while the search code was still loading is searched now, and warms the index
	// as typing would have; a query from the address is searched without warming the rest.
	const typed = input.value;
	const q = new URLSearchParams(location.search).get('q');
	if (q && !typed) input.value = q.slice(0, 500);
	if (typed) searchAndWarm();
	else if (input.value) void run();
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

/**
 * The header dialog loads this file as a standalone bundle (see Search.astro), which keeps Vite's
 * 1.9 KB preload helper off every page; a standalone bundle has no exports, so it registers here.
 */
export interface SearchModule {
	attachPanel: typeof attachPanel;
	warm: typeof warm;
}
(globalThis as { kbSearch?: SearchModule }).kbSearch = { attachPanel, warm };
