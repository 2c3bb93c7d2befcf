import { loadPagefind, loadVocabulary } from './engine';
import { attachPanel, type Panel } from './panel';

/**
 * The search code's one entry point, built as a standalone bundle and loaded on intent by
 * `load.ts` for the header dialog, the search page and the 404 page alike. A standalone bundle
 * keeps Vite's preload helper off every page but has no exports, so it registers on `globalThis`.
 */
export interface SearchModule {
	attach(panel: HTMLElement, base: string): Panel;
	warm(base: string): void;
}

/**
 * The panel names its stylesheet (`data-css`); the search and 404 pages link that same file in
 * their head, so only the header dialog adds it, and never twice.
 */
function ensureStyles(href: string | undefined): void {
	if (!href || document.querySelector(`link[rel="stylesheet"][href="${CSS.escape(href)}"]`)) return;
	const link = document.createElement('link');
	link.rel = 'stylesheet';
	link.href = href;
	document.head.append(link);
}

const api: SearchModule = {
	attach(panel, base) {
		ensureStyles(panel.dataset['css']);
		return attachPanel(panel, base);
	},
	/** Downloads Pagefind, its index entry and the site's vocabulary ahead of the first search. */
	warm(base) {
		void loadPagefind(base).catch(() => undefined);
		void loadVocabulary(base);
	},
};
(globalThis as { kbSearch?: SearchModule }).kbSearch = api;
