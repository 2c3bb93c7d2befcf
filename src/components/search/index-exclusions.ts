/**
 * What the search index leaves out, shared by the Pagefind indexing (finish-build.ts) and the
 * vocabulary, so that both see the same text. Chrome and citations hold words every page shares
 * ("Sources", "Read more", "Shell", "Revision") that would otherwise fill empty result slots and
 * begin excerpts.
 */
export const excludeSelectors = [
	// An answer's upstream sources, its "Read more" links and the "What you see" label.
	'.answer-sources',
	'.related',
	'.seen-label',
	// Code-frame chrome: the language or file label and the copy button.
	'.code-head',
	'.code-label',
	// The comparison matrix's numbered source list and its heading.
	'.cmp-sources',
	'h2#sources',
	// The facts registry's list: every statement there is also on the page that states it (which
	// is where a reader's search should land), with evidence paths beside it. As text it outranked
	// the answers for one query in ten, and its 460 KB page slowed every search.
	'.facts-list',
];

/** Elements Pagefind never indexes (its fossick parser's REMOVE_SELECTORS, Pagefind 1.6). */
export const removedTags = new Set([
	'head',
	'style',
	'script',
	'noscript',
	'label',
	'form',
	'svg',
	'footer',
	'nav',
	'iframe',
	'template',
]);
