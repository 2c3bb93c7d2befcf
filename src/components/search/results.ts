import type { Hit } from './engine';
import { keyTerms, normalise } from './query-plan';

/** A result's link, carrying the query's telling words (`?hl=`) so the page marks them. */
export function hitHref(hit: Hit, query: string, here: string): string {
	const terms = keyTerms(normalise(query)).slice(0, 5);
	if (terms.length === 0) return hit.url;
	const url = new URL(hit.url, here);
	url.searchParams.set('hl', terms.join(' '));
	return url.pathname + url.search + url.hash;
}

function span(cls: string, text: string): HTMLSpanElement {
	const s = document.createElement('span');
	s.className = cls;
	s.textContent = text;
	return s;
}

/** One result: the link itself is the option, since an option may not contain a focusable link. */
function option(hit: Hit, id: string, query: string): HTMLLIElement {
	const li = document.createElement('li');
	li.setAttribute('role', 'none');
	const a = document.createElement('a');
	a.id = id;
	a.setAttribute('role', 'option');
	a.setAttribute('aria-selected', 'false');
	a.href = hitHref(hit, query, location.href);
	a.tabIndex = -1;
	if (hit.kind) a.append(span('hit-kind', hit.kind));
	a.append(span('hit-page', hit.page));
	if (hit.section && hit.section !== hit.page) a.append(span('hit-section', ` › ${hit.section}`));
	const excerpt = span('hit-excerpt', '');
	// safeExcerpt escaped everything except <mark>.
	excerpt.innerHTML = hit.excerpt;
	a.append(excerpt);
	li.append(a);
	return li;
}

/** Replaces the listbox's options with `hits`, and tells the combobox whether it has any. */
export function renderResults(
	list: HTMLUListElement,
	input: HTMLInputElement,
	hits: Hit[],
	query: string
): void {
	list.replaceChildren(...hits.map((hit, i) => option(hit, `${list.id}-${i}`, query)));
	input.setAttribute('aria-expanded', String(hits.length > 0));
}
