import { highlightPattern } from './highlight-terms';

/**
 * Wraps each search term (`?hl=`) inside the article in `<mark class="search-hit">`. Loaded as its
 * own bundle (SearchTermMarks), which keeps no exports, so it runs when it loads.
 */
function markSearchTerms(): void {
	const re = highlightPattern(location.search);
	const scope = document.querySelector('[data-search-scope]');
	if (!re || !scope) return;
	const walker = document.createTreeWalker(scope, NodeFilter.SHOW_TEXT, {
		acceptNode: (n) =>
			n.parentElement?.closest('script, style, mark, [data-pagefind-ignore]')
				? NodeFilter.FILTER_REJECT
				: NodeFilter.FILTER_ACCEPT,
	});
	const nodes: Text[] = [];
	while (walker.nextNode()) nodes.push(walker.currentNode as Text);
	for (const node of nodes) {
		const parts = node.data.split(re);
		if (parts.length < 2) continue;
		node.replaceWith(
			...parts.map((part, i) => {
				if (i % 2 === 0) return document.createTextNode(part);
				const mark = document.createElement('mark');
				mark.className = 'search-hit';
				mark.textContent = part;
				return mark;
			})
		);
	}
}

markSearchTerms();
