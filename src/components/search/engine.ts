import { keyTerms, normalise, planQueries } from './query-plan';
import {
	analyse,
	looksPasted,
	makeLexicon,
	matchErrors,
	rarestTerms,
	type Analysis,
	type Lexicon,
} from './correct';

/** One hit as the search UI shows it. */
export interface Hit {
	/** Where the result leads: the page, or the section or FAQ answer within it. */
	url: string;
	page: string;
	/** Heading of the section the match is in, when it is not the page itself. */
	section: string | undefined;
	/** Excerpt with matches wrapped in <mark>; everything else is escaped text. */
	excerpt: string;
	kind: string | undefined;
}

interface PagefindLocation {
	weight: number;
	balanced_score: number;
	location: number;
}
interface PagefindSub {
	title: string;
	url: string;
	excerpt: string;
	weighted_locations?: PagefindLocation[];
}
interface PagefindData {
	url: string;
	excerpt: string;
	meta: Record<string, string>;
	sub_results?: PagefindSub[];
}
interface PagefindResult {
	id: string;
	score: number;
	data(): Promise<PagefindData>;
}
interface Pagefind {
	options(o: Record<string, unknown>): Promise<void>;
	init(): Promise<void>;
	preload(term: string): Promise<void>;
	search(
		term: string | null,
		o?: { filters?: Record<string, string[]> }
	): Promise<{ results: PagefindResult[] } | null>;
}

let loading: Promise<Pagefind> | undefined;

/** Loads Pagefind from the site's own files, once; nothing else is fetched. */
export function loadPagefind(base: string): Promise<Pagefind> {
	loading ??= (async () => {
		const url = `${base}pagefind/pagefind.js`;
		const pf = (await import(/* @vite-ignore */ url)) as Pagefind;
		await pf.options({ baseUrl: base, excerptLength: 24 });
		await pf.init();
		return pf;
	})();
	return loading;
}

let vocabulary: Promise<Lexicon | undefined> | undefined;

/**
 * Loads the vocabulary the build wrote beside the index, once. Without it (an old cache, a
 * failed fetch) search still works, only without corrections.
 */
export function loadVocabulary(base: string): Promise<Lexicon | undefined> {
	vocabulary ??= fetch(`${base}search-vocabulary.json`)
		.then((r) => (r.ok ? r.json() : undefined))
		.then((v) => (v ? makeLexicon(v as Parameters<typeof makeLexicon>[0]) : undefined))
		.catch(() => undefined);
	return vocabulary;
}

let fragments: Promise<void> | undefined;

/**
 * Once the reader has started typing, loads the rest of the index (every word's chunk) and then
 * every page's text (a few KB per page), a few at a time in Pagefind's worker: later keystrokes
 * then never wait for a download. A search without a term returns every page.
 */
export function warmFragments(pf: Pagefind): Promise<void> {
	fragments ??= (async () => {
		await pf.preload('abcdefghijklmnopqrstuvwxyz0123456789'.split('').join(' '));
		const all = (await pf.search(null))?.results ?? [];
		for (let i = 0; i < all.length; i += 4)
			await Promise.all(all.slice(i, i + 4).map((r) => r.data()));
	})().catch(() => undefined);
	return fragments;
}

const escapeHtml = (s: string) =>
	s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Escapes an excerpt but keeps Pagefind's <mark> tags, so page text can never inject markup. */
export function safeExcerpt(excerpt: string): string {
	const decode = (t: string) =>
		t
			.replace(/&lt;/g, '<')
			.replace(/&gt;/g, '>')
			.replace(/&quot;/g, '"')
			.replace(/&#39;/g, "'")
			.replace(/&amp;/g, '&');
	return excerpt
		.split(/(<\/?mark>)/)
		.map((part) => (part === '<mark>' || part === '</mark>' ? part : escapeHtml(decode(part))))
		.join('');
}

/**
 * The section that answers best. Each query word a section's excerpt matches counts more the
 * rarer it is among the page's sections (a "k3s" match beats yet another "istio"); a heading
 * that names a word counts extra. Among equals, the earlier section wins unless a later one
 * matches far more strongly: a term is usually introduced where it is first used, and repeated
 * further down (how to remove a label is not where to read about it).
 */
export function bestSub(data: PagefindData, terms: string[]): PagefindSub | undefined {
	const subs = (data.sub_results ?? []).filter((s) => s.url !== data.url);
	const covered = subs.map((s) => {
		const marks = [...s.excerpt.matchAll(/<mark>([^<]*)<\/mark>/g)].map((m) =>
			(m[1] ?? '').toLowerCase()
		);
		return new Set(terms.filter((t) => marks.some((m) => m.includes(t))));
	});
	const spread = new Map(terms.map((t) => [t, covered.filter((c) => c.has(t)).length]));
	const ranked = subs.map((s, i) => {
		const body = (s.weighted_locations ?? []).reduce((n, l) => n + l.balanced_score, 0);
		const rarity = [...(covered[i] ?? [])].reduce((n, t) => n + 1 / (spread.get(t) ?? 1), 0);
		const named = terms.filter((t) => s.title.toLowerCase().includes(t)).length;
		const score =
			body > 0 ? rarity * 1000 + named * 500 + Math.log1p(body) * 3 - Math.min(i, 10) : 0;
		return { s, score };
	});
	return ranked.filter((x) => x.score > 0).sort((a, b) => b.score - a.score)[0]?.s;
}

/** Weight of each planned search: the query as typed counts most, single terms least. */
function weightOf(i: number, total: number): number {
	if (i === 0) return 3;
	if (i === 1) return 2;
	return Math.max(0.3, 1.5 - (i / Math.max(total, 1)) * 1.2);
}

/** What a search found, and what it did to the query on the way. */
export interface Outcome {
	hits: Hit[];
	/** The query actually searched, when typos were corrected or unknown words dropped. */
	searched?: string | undefined;
	analysis?: Analysis | undefined;
}

/**
 * Corrects the query against the site's vocabulary, runs the planned searches, fuses their
 * rankings (reciprocal rank, weighted by how specific each search was), puts answers whose
 * quoted error text a pasted query contains first, and returns the top hits with the section
 * each one lands on. `exact` skips the correction (the reader's "search instead for").
 */
export async function search(
	pf: Pagefind,
	raw: string,
	filters: Record<string, string[]>,
	limit = 6,
	lex?: Lexicon,
	exact = false
): Promise<Outcome> {
	const terms = keyTerms(normalise(raw));
	const analysis = lex && !exact && terms.length > 0 ? analyse(lex, terms) : undefined;
	if (analysis?.empty) return { hits: [], analysis };
	const changed = analysis && (analysis.corrections.length > 0 || analysis.unknown.length > 0);
	const query = changed ? analysis.query : raw;
	const pasted = lex && looksPasted(raw) ? matchErrors(lex, raw) : [];
	const plan = planQueries(query);
	if (lex && looksPasted(raw)) plan.push(rarestTerms(lex, keyTerms(normalise(raw))).join(' '));
	if (plan.length === 0) return { hits: [] };
	const runs = await Promise.all(plan.filter(Boolean).map((q) => pf.search(q, { filters })));
	const fused = new Map<string, { score: number; result: PagefindResult }>();
	runs.forEach((run, i) => {
		(run?.results ?? []).slice(0, 20).forEach((result, rank) => {
			const prev = fused.get(result.id);
			const add = weightOf(i, plan.length) / (3 + rank);
			fused.set(result.id, { score: (prev?.score ?? 0) + add, result: prev?.result ?? result });
		});
	});
	let ranked = [...fused.values()].sort((a, b) => b.score - a.score);
	if (pasted.length > 0) {
		// A phrase match on the quoted error outranks any bag-of-words score.
		const head = ranked.slice(0, 20);
		const urls = await Promise.all(head.map((r) => r.result.data().then((d) => d.url)));
		const rank = (i: number) => {
			const at = pasted.findIndex((u) => urls[i]?.startsWith(u) || u.startsWith(urls[i] ?? '\0'));
			return at < 0 ? Infinity : at;
		};
		const order = head.map((r, i) => ({ r, i, p: rank(i) }));
		order.sort((a, b) => a.p - b.p || a.i - b.i);
		ranked = [...order.map((o) => o.r), ...ranked.slice(20)];
	}
	const top = ranked.slice(0, limit);
	const datas = await Promise.all(top.map((t) => t.result.data()));
	const hitTerms = keyTerms(normalise(query));
	const hits = datas.map((d) => {
		const sub = bestSub(d, hitTerms);
		return {
			url: sub?.url ?? d.url,
			page: d.meta['title'] ?? d.url,
			section: sub?.title,
			excerpt: safeExcerpt(sub?.excerpt ?? d.excerpt),
			kind: d.meta['kind'],
		};
	});
	return { hits, searched: changed ? query : undefined, analysis };
}
