import type { Outcome } from './engine';

const el = (tag: string, cls: string, text?: string) => {
	const e = document.createElement(tag);
	e.className = cls;
	if (text !== undefined) e.textContent = text;
	return e;
};

/** A button that searches again when pressed: corrections and suggestions are one key away. */
function searchButton(label: string, onPress: () => void): HTMLButtonElement {
	const b = document.createElement('button');
	b.type = 'button';
	b.className = 'search-suggestion';
	b.textContent = label;
	b.addEventListener('click', onPress);
	return b;
}

/** Where to browse when search has nothing (or nothing good); the panel's data attributes hold the links. */
export interface BrowseLinks {
	troubleshooting?: string | undefined;
	faq?: string | undefined;
	glossary?: string | undefined;
}

function browseLine(lead: string, links: BrowseLinks): HTMLElement {
	const browse = el('p', 'notice-line', lead);
	const list = [
		['troubleshooting by error text', links.troubleshooting],
		['the FAQ', links.faq],
		['the glossary', links.glossary],
	] as const;
	list.forEach(([label, href], i) => {
		const link = document.createElement('a');
		link.href = href ?? '#';
		link.textContent = label;
		if (i > 0) browse.append(i === list.length - 1 ? ', or ' : ', ');
		browse.append(link);
	});
	return browse;
}

/**
 * Says what search did with the query: the corrected query it ran (with the way back to what was
 * typed), that the results miss the query's telling words, or that nothing on the site matches,
 * with close words and places to browse. `again(query, exact)` searches from a suggestion.
 */
export function explainOutcome(
	notice: HTMLElement,
	outcome: Outcome,
	typed: string,
	links: BrowseLinks,
	again: (query: string, exact?: boolean) => void
): void {
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
				dym.append(searchButton(w, () => again(w)));
			});
			notice.append(dym);
		}
		notice.append(browseLine('Or browse: ', links));
		return;
	}
	const weak = outcome.weak ?? [];
	if (weak.length > 0 && outcome.hits.length > 0) {
		// The results miss the query's telling words: say so, and offer the places to browse that
		// the empty state offers.
		notice.hidden = false;
		const p = el('p', 'notice-line search-weak');
		p.append('No page here holds ');
		const shown = weak.slice(0, 3);
		shown.forEach((w, i) => {
			if (i > 0) p.append(i === shown.length - 1 ? ' or ' : ', ');
			p.append(el('strong', '', w));
		});
		p.append(', so these results may not answer it.');
		notice.append(p, browseLine('Try ', links));
	}
	if (outcome.searched !== undefined) {
		notice.hidden = false;
		const p = el('p', 'notice-line');
		p.append('Showing results for ', el('em', '', outcome.searched), '; ');
		p.append(searchButton(`search instead for ${typed.trim()}`, () => again(typed, true)));
		notice.append(p);
		if (a && a.unknown.length > 0)
			notice.append(
				el('p', 'notice-line', `Not on this site, so left out: ${a.unknown.join(', ')}.`)
			);
	}
}

/** The status line read out after each search. */
export function statusText(outcome: Outcome): string {
	if (outcome.analysis?.empty) return 'Nothing on this site matches.';
	const n = outcome.hits.length;
	if (n === 0) return 'No results. Try fewer or different words, or clear the filters.';
	return `${n} result${n === 1 ? '' : 's'}${outcome.searched ? ` for ${outcome.searched}` : ''}`;
}
