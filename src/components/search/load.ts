import type { SearchModule } from './ui';
// The search code is its own bundle, loaded with a plain import(): the scripts every page
// carries stay small and hold no preload helper.
import uiUrl from './ui.ts?worker&url';

let module: Promise<SearchModule> | undefined;

/** Loads the search code once, whoever asks first (the header dialog or the page's own panel). */
export function loadSearch(): Promise<SearchModule> {
	return (module ??= import(/* @vite-ignore */ uiUrl).then(() => {
		const m = (globalThis as { kbSearch?: SearchModule }).kbSearch;
		if (!m) throw new Error('search code did not load');
		return m;
	}));
}
