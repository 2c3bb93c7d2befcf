/**
 * Every query parameter the site reads or writes, with the one feature that owns it. A feature
 * reads and writes only its own parameters, through the helpers below, so that two features can
 * never again share a name (the mesh tabs once wrote `?mesh=`, which search read as its filter).
 * `url-state.test.ts` scans `src/` and fails on a parameter that is not listed here.
 */

/** The overhead calculator's inputs that differ from its defaults, one parameter each. */
export const calculatorParams = [
	'pods',
	'nodes',
	'waypoints',
	'load',
	'sidecarUsage',
	'sidecarRequest',
	'sidecarCpu',
	'waypointUsage',
	'waypointRequest',
	'waypointCpu',
	'ztunnelUsage',
	'ztunnelRequest',
	'ztunnelCpu',
	'cniRequest',
	'cniCpu',
	'istiodRequest',
	'istiodCpu',
	'linkerdUsage',
	'linkerdRequest',
	'linkerdCpu',
] as const;

interface ParamSpec {
	/** Exact names, or `prefix` for a family of names (`ph.` covers `ph.namespace`). */
	readonly names?: readonly string[];
	readonly prefix?: string;
	/** The feature that writes it. */
	readonly owner: string;
	/** The only places under `src/` that may read or write it (folders end in `/`). */
	readonly files: readonly string[];
	readonly meaning: string;
	readonly format: string;
}

export const urlParams = [
	{
		names: ['q'],
		owner: 'search (its dialog, page and form)',
		files: ['components/search/', 'pages/search.astro'],
		meaning: 'The search query; opens the search dialog on any page, fills the search page.',
		format: 'Free text, at most 500 characters read.',
	},
	{
		names: ['mesh'],
		owner: 'search filters',
		files: ['components/search/'],
		meaning: 'Search filter: only pages about this mesh. Nothing else reads it.',
		format: 'A mesh id from content/data/meshes.yaml; repeated for several.',
	},
	{
		names: ['kind'],
		owner: 'search filters',
		files: ['components/search/'],
		meaning: 'Search filter: only pages of this kind.',
		format: 'guide | concept | reference | faq; repeated for several.',
	},
	{
		names: ['hl'],
		owner: 'search results, read by SearchTermMarks.astro',
		files: ['components/search/'],
		meaning: 'Search terms to mark on the page a result led to.',
		format: 'Up to five words separated by spaces.',
	},
	{
		names: ['answers'],
		owner: 'decision tree',
		files: ['components/tree/'],
		meaning: 'The answers given so far, so a link reopens the same path.',
		format: 'Answer ids joined by dots (`yes.none`); stale steps are dropped.',
	},
	{
		prefix: 'ph.',
		owner: 'placeholders in commands',
		files: ['components/code/placeholder-values.ts', 'markdown/placeholders.ts'],
		meaning: 'A value the reader gave a `<name>` placeholder in the commands.',
		format: '`ph.<name>=<value>`; values without spaces or shell metacharacters.',
	},
	{
		names: ['rev'],
		owner: 'FAQ answer links (copy link, Markdown twins, config doctor findings)',
		files: ['components/faq/', 'lib/page-twins.ts', 'lib/doctor/links.ts'],
		meaning: 'The answer revision the link was made at; an older one shows what changed.',
		format: 'A revision number, 1 to 9999.',
	},
	{
		names: ['tab'],
		owner: 'mesh tabs',
		files: ['components/code/MeshTabs.astro', 'components/code/mesh-tabs.ts'],
		meaning: 'The mesh a shared link opens the tabs on; the reader’s own choice is in storage.',
		format: 'A mesh id from content/data/meshes.yaml.',
	},
	{
		names: calculatorParams,
		owner: 'overhead calculator',
		files: ['components/calculator/'],
		meaning: 'A calculator input that differs from its default.',
		format: 'A plain decimal number within the input’s limits.',
	},
] as const satisfies readonly ParamSpec[];

type Spec = (typeof urlParams)[number];
/** A parameter's exact name, or a name in a listed family (`ph.namespace`). */
export type ParamName =
	| Extract<Spec, { names: readonly string[] }>['names'][number]
	| `${Extract<Spec, { prefix: string }>['prefix']}${string}`;
export type ParamPrefix = Extract<Spec, { prefix: string }>['prefix'];

/** What to change: a value sets it, a list sets every value in order, null or '' removes it. */
export type ParamChanges = Partial<Record<ParamName, string | readonly string[] | null>>;

/** The first value of a parameter in a query string (`location.search`), or null. */
export function readParam(search: string, name: ParamName): string | null {
	return new URLSearchParams(search).get(name);
}

/** Every value of a repeated parameter, in order. */
export function readParams(search: string, name: ParamName): string[] {
	return new URLSearchParams(search).getAll(name);
}

/** `[rest, value]` for every parameter named `<prefix><rest>`: `ph.namespace=shop` → `['namespace', 'shop']`. */
export function readPrefixed(search: string, prefix: ParamPrefix): [string, string][] {
	return [...new URLSearchParams(search)]
		.filter(([key]) => key.startsWith(prefix))
		.map(([key, value]) => [key.slice(prefix.length), value]);
}

/** The query string with the changes applied, without its `?` ('' when nothing is left). */
export function editQuery(search: string, changes: ParamChanges): string {
	const params = new URLSearchParams(search);
	for (const [name, value] of Object.entries(changes)) {
		params.delete(name);
		for (const v of [value ?? []].flat()) if (v) params.append(name, v);
	}
	return params.toString();
}

/** Applies the changes to the address without a new history entry (browser only). */
export function replaceParams(changes: ParamChanges): void {
	const url = new URL(location.href);
	url.search = editQuery(url.search, changes);
	if (url.href !== location.href) history.replaceState(history.state, '', url);
}

/**
 * `replaceParams` once changes pause, or at once on `flush` (before the reader leaves the page);
 * `cancel` drops what is pending (the reader closed what wrote it).
 * In Chromium a replaceState took 2 to 30 ms, which typing paid on every keystroke before the
 * results it was waiting for.
 */
export function pausedParams(
	wait = 300,
	write: (changes: ParamChanges) => void = replaceParams
): { set(changes: ParamChanges): void; flush(): void; cancel(): void } {
	let timer: ReturnType<typeof setTimeout> | undefined;
	let pending: ParamChanges | undefined;
	const flush = () => {
		clearTimeout(timer);
		if (pending) write(pending);
		pending = undefined;
	};
	return {
		set(changes) {
			pending = changes;
			clearTimeout(timer);
			timer = setTimeout(flush, wait);
		},
		flush,
		cancel() {
			clearTimeout(timer);
			pending = undefined;
		},
	};
}
