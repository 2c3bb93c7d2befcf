import { camelParts, compares, intents, keyTerms, normalise, partsOf } from './query-plan';
import {
	analyse,
	looksPasted,
	makeLexicon,
	matchErrors,
	kinWord,
	type Analysis,
	type Lexicon,
	type VocabularyData,
} from './correct';
import { questionMatch } from './question-match';

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
	/** The page's indexed text. */
	content?: string;
	excerpt: string;
	meta: Record<string, string>;
	filters?: Record<string, string[]>;
	sub_results?: PagefindSub[];
	/** Every element with an id, headings included, in page order. */
	anchors?: { element: string; text?: string }[];
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

/**
 * Pagefind's ranking, tuned on the benchmark's tuning sets (bench/search-queries.yaml and
 * bench/tuning.yaml). The other ways an answer is asked (`asked`, searchable metadata on the
 * answer's page) weigh as much as its question (the page title).
 */
export const ranking = {
	termFrequency: 1.0,
	termSimilarity: 1.0,
	termSaturation: 1.4,
	pageLength: 0.5,
	metaWeights: { title: 5, asked: 5 },
};

let loading: Promise<Pagefind> | undefined;

/** Loads Pagefind from the site's own files, once; nothing else is fetched. */
export function loadPagefind(base: string): Promise<Pagefind> {
	loading ??= (async () => {
		const url = `${base}pagefind/pagefind.js`;
		const pf = (await import(/* @vite-ignore */ url)) as Pagefind;
		await pf.options({ baseUrl: base, excerptLength: 24, ranking });
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
		.then((v) => (v ? makeLexicon(v as VocabularyData) : undefined))
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
			await Promise.all(all.slice(i, i + 4).map((r) => pageFacts(pf, r)));
	})().catch(() => undefined);
	return fragments;
}

/** What ranking reads of a page. It is the same for every query, so it is read once a session. */
export interface PageFacts {
	url: string;
	meta: Record<string, string>;
	filters?: Record<string, string[]>;
	/** Text and metadata, lower-cased: where a telling word is looked for as typed. */
	text: string;
	/** Every heading Pagefind may title a section with: a search's sections are some of them. */
	sub_results: { title: string }[];
}

const facts = new WeakMap<Pagefind, Map<string, Promise<PageFacts>>>();

/**
 * A page's facts, from the one `data()` call that first read it. Each `data()` is a round trip
 * to Pagefind's worker that also builds an excerpt: twenty of them were a third of a keystroke's
 * time, and only the results shown need their query's excerpt.
 */
export function pageFacts(pf: Pagefind, result: PagefindResult): Promise<PageFacts> {
	let kept = facts.get(pf);
	if (!kept) facts.set(pf, (kept = new Map()));
	let got = kept.get(result.id);
	if (!got) {
		got = result.data().then((d) => ({
			url: d.url,
			meta: d.meta,
			...(d.filters ? { filters: d.filters } : {}),
			text: [d.content ?? '', ...Object.values(d.meta)].join(' ').toLowerCase(),
			// The headings Pagefind makes sections of (its calculate_sub_results).
			sub_results: (d.anchors ?? [])
				.filter((a) => /^h\d$/i.test(a.element) && /\S/.test(a.text ?? ''))
				.map((a) => ({ title: a.text ?? '' })),
		}));
		kept.set(result.id, got);
		// A fragment that did not load is read again next time.
		got.catch(() => kept.delete(result.id));
	}
	return got;
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

const joined = new WeakMap<Lexicon, Map<string, string>>();

/**
 * A word the site lacks that is a site word written without its hyphens, dots or underscores
 * ("ztunnelconfig" for `ztunnel-config`, "proxyconfig" for `proxy-config`) becomes that word:
 * a reader who runs the words of a command together means the command.
 */
export function joinedForms(lex: Lexicon | undefined, terms: string[]): string[] {
	if (!lex) return terms;
	let index = joined.get(lex);
	if (!index) {
		index = new Map();
		for (const w of lex.df.keys())
			if (/[-._]/.test(w)) {
				const squashed = w.replace(/[-._]/g, '');
				// The most common spelling wins ("ztunnel-config" over a rarer "ztunnel_config").
				const had = index.get(squashed);
				if (!lex.df.has(squashed) && (!had || (lex.df.get(w) ?? 0) > (lex.df.get(had) ?? 0)))
					index.set(squashed, w);
			}
		joined.set(lex, index);
	}
	const out: string[] = [];
	for (let i = 0; i < terms.length; i++) {
		const t = terms[i] ?? '';
		const next = terms[i + 1];
		if (next !== undefined && splitName(lex, t, next)) {
			out.push(t + next);
			i++;
		} else out.push(lex.df.has(t) ? t : (index.get(t) ?? t));
	}
	return [...new Set(out)];
}

/**
 * Whether two words are a name the site writes as one ("virtual service" for VirtualService,
 * "side car" for sidecar): the joined word is a site word on at least as many pages as the rarer
 * of the two. Two words that only happen to join ("in side", "set up", "api server") stay apart:
 * the site uses them apart more than together.
 */
export function splitName(lex: Lexicon, a: string, b: string): boolean {
	if (!/^[a-z]+$/.test(a) || !/^[a-z]+$/.test(b) || a.length < 2 || b.length < 2) return false;
	const joined = lex.df.get(a + b) ?? 0;
	return joined > 0 && joined >= Math.min(lex.df.get(a) ?? 0, lex.df.get(b) ?? 0);
}

/** What a search found, and what it did to the query on the way. */
export interface Outcome {
	hits: Hit[];
	/** The query actually searched, when typos were corrected or unknown words dropped. */
	searched?: string | undefined;
	analysis?: Analysis | undefined;
	/**
	 * The query's telling words that no result holds, when they outweigh the ones the results do
	 * hold: the results are weak and the panel says so.
	 */
	weak?: string[] | undefined;
}

/** One word of the query as search weighs it: the searches that find it and how telling it is. */
interface Slot {
	term: string;
	searches: string[];
	weight: number;
	/** A rare word: if no result holds it, the results are weak. */
	telling: boolean;
}

/** Pages a word is on, allowing for a word still being typed (its most common extension). */
function pagesWith(lex: Lexicon, term: string): number {
	const exact = lex.df.get(term);
	if (exact !== undefined) return exact;
	let most = 0;
	for (const w of lex.byInitial.get(term[0] ?? '') ?? [])
		if (w.startsWith(term)) most = Math.max(most, lex.df.get(w) ?? 0);
	for (const variant of [`${term}s`, term.replace(/(?:es|s|ed|ing)$/, '')])
		most = Math.max(most, lex.df.get(variant) ?? 0);
	return most;
}

/** A word is telling when few pages hold it: at most 8 % of them, and never fewer than three. */
const tellingShare = 0.08;

/**
 * The words to search for, each with its weight: the rarer a word on the site, the more it
 * counts. Words in `literal` are searched as typed, without their synonyms. A compound the site does not hold whole (`tap.linkerd.io/v1alpha1`) is searched by the
 * parts it does hold; words the site has no page for are left out of the searches.
 */
export function slotsFor(
	terms: string[],
	lex: Lexicon | undefined,
	query: string,
	literal: ReadonlySet<string> = new Set()
): Slot[] {
	if (!lex) return terms.map((t) => ({ term: t, searches: [t], weight: 1, telling: false }));
	const rare = Math.max(3, lex.pages * tellingShare);
	const weigh = (df: number) => Math.log((lex.pages + 1) / (df + 0.5));
	const slots: Slot[] = [];
	for (const term of terms) {
		const df = pagesWith(lex, term);
		if (df > 0) {
			const alts = (literal.has(term) ? [] : (lex.synonyms.get(term) ?? [])).filter((a) =>
				pagesWith(lex, a.split(' ')[0] ?? a)
			);
			slots.push({ term, searches: [term, ...alts], weight: weigh(df), telling: df <= rare });
			continue;
		}
		const kin = kinWord(lex, term);
		if (kin) {
			const kinDf = pagesWith(lex, kin);
			slots.push({ term, searches: [kin], weight: weigh(kinDf), telling: kinDf <= rare });
			continue;
		}
		const parts = partsOf(term).filter((p) => pagesWith(lex, p) > 0);
		if (parts.length > 0) {
			const dfs = parts.map((p) => pagesWith(lex, p));
			// A page must hold every part: together they are rarer than the rarest alone.
			const ws = dfs.map(weigh);
			const top = Math.max(...ws);
			slots.push({
				term,
				searches: [parts.join(' ')],
				weight: top + compoundShare * (ws.reduce((n, w) => n + w, 0) - top),
				telling: Math.min(...dfs) <= rare,
			});
		}
	}
	// Synonyms of whole phrases ("mutual tls" for "mtls") are searched as one more word.
	for (const [phrase, alts] of lex.synonyms)
		if (phrase.includes(' ') && ` ${query} `.includes(` ${phrase} `))
			slots.push({
				term: phrase,
				searches: [phrase, ...alts],
				weight: Math.max(...phrase.split(' ').map((w) => weigh(pagesWith(lex, w)))),
				telling: false,
			});
	return slots.sort((a, b) => b.weight - a.weight).slice(0, maxSlots);
}

/**
 * Share of its weight a word keeps when search guessed it from a typo: the guess is less sure
 * than a word typed right (tuned on the typed, typo, error and tuning sets: 0.6 to 0.8 do as
 * well as each other, 0.5 loses a typo).
 */
export const guessShare = 0.7;

/**
 * Weighs the words corrected from typos less. In "accessLogFile is not propogated"
 * (istio/istio#42511) the guess "propagate" is the rarer word, and it put the answer about
 * trace context propagation ahead of the one about accessLogFile.
 */
export function discountGuesses(slots: Slot[], corrections: { from?: string; to: string }[]): void {
	const guessed = new Set(corrections.map((c) => c.to));
	for (const s of slots) if (guessed.has(s.term)) s.weight *= guessShare;
}

/** Share of a compound's other parts' weight added to its rarest part's. */
const compoundShare = 0.25;

/** At most this many words are searched on their own, the most telling first. */
const maxSlots = 8;

/** How many leading pages are read to re-rank them (answers first, known errors pinned). */
const rerankDepth = 20;

/**
 * Whether a query reports a problem or asks a question (a paste, a question word, a symptom)
 * rather than naming a thing to look up: then the FAQ's answers go a little ahead of guide pages.
 */
export function looksLikeProblem(raw: string, typed: string): boolean {
	return (
		// One identifier ("linkerd.io/inject", "istio.io/dataplane-mode") names a thing to look up,
		// though its slash or dot would mark a longer text as pasted.
		(looksPasted(raw) && /\S\s+\S/.test(raw.trim())) ||
		// A question ends in a question mark even when it starts with no question word.
		/\?\s*$/.test(raw) ||
		/^(?:why|how|what|does|do|did|can|could|is|are|should|when|where|which|will)\b/.test(typed) ||
		/\b(?:fail\w*|error\w*|not|no|denied|stuck|broken?|cannot|can t|doesn t|don t|won t|unable|time[sd]? ?out|refused|reset|crash\w*|503|502|403|expired?|invalid|missing|wrong|slow|hangs?|stall\w*|drops?)\b/.test(
			typed
		)
	);
}

/**
 * Share of a query's weight an FAQ answer gets over a guide page holding the same words when the
 * query reports a problem, and the share it cedes to the guide when the query names a thing to
 * look up ("linkerd install", "PeerAuthentication"). An answer that names a resource in its
 * question and in its other phrasings holds the name more strongly than the guide section that
 * defines it; on a look-up the guide must still win (tuned on the typed and typo sets: 0.25 left
 * "PeerAuthentication", "EgressNetwork", "linkerd.io/inject" and three typos on an answer; 0.6 and
 * 0.65 do as well as each other, 0.8 loses a typo again).
 */
const answerPrior = 0.15;
const guidePrior = 0.6;

/**
 * Share a guide page gets when a short look-up names its title ("linkerd install", "linkerd
 * upgrade"): with a hundred answers that mention installing Linkerd, the page titled so must
 * still come first.
 */
const titlePrior = 0.3;

/** Whether every word of a short look-up is in a title, allowing for plurals and verb forms. */
export function titleNames(title: string, terms: string[], most = 3): boolean {
	if (terms.length === 0 || terms.length > most) return false;
	const words = (title.toLowerCase().match(/[\p{L}\p{N}][\p{L}\p{N}./-]*/gu) ?? []).map((w) =>
		w.replace(/[./-]+$/, '')
	);
	// A word may differ in its ending (plurals, verb forms); a name with dots or slashes
	// ("istio.io/dataplane-mode") only matches whole.
	return terms.every((t) =>
		words.some(
			(w) =>
				w === t ||
				(/^[\p{L}-]+$/u.test(t) &&
					t.length >= 5 &&
					w.length >= 5 &&
					w.slice(0, 5) === t.slice(0, 5))
		)
	);
}

/**
 * Whether a short look-up names a guide page: its title, or one of its section headings read
 * with the title ("PeerAuthentication" names "Require mTLS: PeerAuthentication" in Istio security,
 * "install gateway api crds istio" names "Install the Gateway API CRDs" in "Install Istio").
 */
export function pageNames(
	d: { meta: Record<string, string>; sub_results?: { title: string }[] },
	terms: string[]
): boolean {
	const title = d.meta['title'] ?? '';
	if (titleNames(title, terms)) return true;
	if (terms.length === 0 || terms.length > 5) return false;
	return (d.sub_results ?? []).some((s) => titleNames(`${title} ${s.title}`, terms, 5));
}

/**
 * Share of a query's weight a page loses when the query names one mesh and the page is about
 * another only ("install gateway api crds istio" is not asking for a Linkerd answer).
 */
const otherMeshPenalty = 0.3;

/** Share of a query's weight a page gets when one of its phrasings holds all of the query. */
export const phrasingWeight = 0.5;

/**
 * The same share when the query reports a problem or asks a question: other readers' phrasings of
 * the same problem then say more than a guide page that happens to hold more of its words (tuned
 * on bench/tuning.yaml with the typed, typo and error sets: 1.25 to 1.75 do as well as each other,
 * 0.5 to 1.0 leave an access-log report on the guide, 2.0 loses a typed look-up).
 */
export const problemPhrasingWeight = 1.5;

type Run = { results: PagefindResult[] } | null;
const runs = new WeakMap<Pagefind, Map<string, Promise<Run>>>();
/** Enough for a long session of typing; the oldest search goes first. */
const keptRuns = 500;

/**
 * One Pagefind search per word and filter for the session. A query is many searches (the whole,
 * each telling word, its synonyms), and the next keystroke or the next question searches most of
 * the same words again: these searches were most of the time from keystroke to results.
 */
export function searchOnce(pf: Pagefind, q: string, filters: Record<string, string[]>) {
	let kept = runs.get(pf);
	if (!kept) runs.set(pf, (kept = new Map()));
	const key = `${q}\u0000${JSON.stringify(filters)}`;
	let run = kept.get(key);
	if (run) kept.delete(key);
	else {
		run = pf.search(q, { filters });
		// A failed search (an index chunk that did not load) is tried again next time.
		run.catch(() => kept.delete(key));
	}
	kept.set(key, run);
	if (kept.size > keptRuns) kept.delete(kept.keys().next().value ?? '');
	return run;
}

/** Credit for a page in one search: some for holding the word at all, more the better it ranks. */
function credits(run: { results: PagefindResult[] } | null): Map<string, number> {
	const out = new Map<string, number>();
	const results = run?.results ?? [];
	const top = results[0]?.score ?? 0;
	for (const r of results) out.set(r.id, 0.35 + 0.65 * (top > 0 ? r.score / top : 0));
	return out;
}

/**
 * Corrects the query against the site's vocabulary, searches for the whole query and for each of
 * its telling words, and ranks pages by how much of the query's rarity they hold (a page with the
 * one rare word beats a page with three words every page has). Answers whose quoted error text a
 * pasted query contains (on its distinctive part) come first. Returns the top hits with the
 * section each one lands on, and says when no result holds the query's rare words. `exact` skips
 * the correction (the reader's "search instead for").
 */
export async function search(
	pf: Pagefind,
	raw: string,
	filters: Record<string, string[]>,
	limit = 6,
	lex?: Lexicon,
	exact = false
): Promise<Outcome> {
	const typed = normalise(raw);
	// An identifier the site does not hold whole (`BadCertificate`) is searched by its words.
	const camel = camelParts(raw);
	const terms = joinedForms(lex, [
		...new Set(keyTerms(typed).flatMap((t) => (lex && !lex.df.has(t) && camel.get(t)) || [t])),
	]);
	const analysis = lex && !exact && terms.length > 0 ? analyse(lex, terms) : undefined;
	if (analysis?.empty) return { hits: [], analysis };
	const changed = analysis && (analysis.corrections.length > 0 || analysis.unknown.length > 0);
	const query = changed ? analysis.query : typed;
	const searched = analysis ? analysis.query.split(' ').filter(Boolean) : terms;
	const absent = new Set(analysis?.absent ?? []);
	// "istio vs linkerd" compares: its "vs" is not a VirtualService.
	const literal = new Set(compares(typed) ? ['vs', 'versus'] : []);
	const slots = slotsFor(
		[...new Set(searched)].filter((t) => !absent.has(t)),
		lex,
		query,
		literal
	);
	discountGuesses(slots, analysis?.corrections ?? []);
	const whole = slots
		.filter((s) => !s.term.includes(' '))
		.map((s) => s.searches[0] ?? s.term)
		.join(' ');
	// A short typed query is also searched as a phrase: a command or a resource name then lands
	// on the page that shows it, not on pages that use its words apart.
	// In the order typed: the slots are ordered by weight.
	const inOrder = searched
		.map((t) => slots.find((s) => s.term === t && !t.includes(' '))?.searches[0])
		.filter((t): t is string => t !== undefined);
	const phrase =
		!looksPasted(raw) && slots.length >= 2 && slots.length <= 5 ? `"${inOrder.join(' ')}"` : '';
	const wholeSearches = [
		...new Set([typed.split(' ').length <= 8 ? query : '', whole, phrase]),
	].filter(Boolean);
	const extra = intents(typed);
	if (wholeSearches.length === 0 && slots.length === 0 && extra.length === 0) return { hits: [] };
	const jobs = [...wholeSearches, ...slots.flatMap((s) => s.searches), ...extra];
	const done = await Promise.all(jobs.map((q) => searchOnce(pf, q, filters)));
	const runOf = new Map(jobs.map((q, i) => [q, done[i] ?? null]));
	const total = slots.reduce((n, s) => n + s.weight, 0) || 1;
	const fused = new Map<
		string,
		{ score: number; result: PagefindResult; held: Set<string>; credit?: Map<string, number> }
	>();
	const add = (
		run: { results: PagefindResult[] } | null,
		amount: (c: number) => number,
		term?: string
	) => {
		const got = credits(run);
		for (const r of run?.results ?? []) {
			const entry = fused.get(r.id) ?? { score: 0, result: r, held: new Set<string>() };
			entry.score += amount(got.get(r.id) ?? 0);
			if (term) entry.held.add(term);
			fused.set(r.id, entry);
		}
	};
	// The whole query, as typed and as key words: a page holding all of it is a strong answer.
	wholeSearches.forEach((q) =>
		add(runOf.get(q) ?? null, (c) => (q === phrase ? 0.5 : 0.4) * total * c)
	);
	for (const slot of slots) {
		// A word and its synonyms count once: the best credit among them.
		const best = new Map<string, number>();
		for (const q of slot.searches)
			for (const [id, c] of credits(runOf.get(q) ?? null))
				best.set(id, Math.max(best.get(id) ?? 0, c));
		for (const q of slot.searches)
			for (const r of runOf.get(q)?.results ?? []) {
				const entry = fused.get(r.id) ?? { score: 0, result: r, held: new Set<string>() };
				if (!entry.held.has(slot.term)) {
					const got = slot.weight * (best.get(r.id) ?? 0);
					entry.score += got;
					(entry.credit ??= new Map()).set(slot.term, got);
				}
				entry.held.add(slot.term);
				fused.set(r.id, entry);
			}
	}
	for (const q of extra) add(runOf.get(q) ?? null, (c) => 0.5 * total * c);
	const problem = looksLikeProblem(raw, typed);
	// A page asked the way the reader asks (its question, `asked:` or quoted errors) moves up. Its
	// result id comes with the vocabulary: what has loaded so far never changes the ranking.
	if (lex)
		phrasingBonus(
			fused,
			lex,
			phrasingTerms(
				[...searched.map((t) => (literal.has(t) ? t : (lex.abbreviations.get(t) ?? t))), ...absent],
				problem
			),
			(problem ? problemPhrasingWeight : phrasingWeight) * total
		);
	const ranked = [...fused.values()].sort((a, b) => b.score - a.score).slice(0, rerankDepth);
	// The leading pages' facts (each read once a session; all of them once search is warm) put
	// answers first: an answer whose quoted error the paste holds, surely first; the FAQ's answers
	// a little ahead of guide pages that share their words.
	const pasted = lex && looksPasted(raw) ? matchErrors(lex, raw) : [];
	const lookup = [...new Set(searched)].filter((t) => !absent.has(t));
	const datas = await Promise.all(ranked.map((r) => pageFacts(pf, r.result)));
	const named = meshNamed(typed, datas, lex?.meshWords);
	// Pagefind stems a word before it matches: "windows" finds the pages about a maintenance
	// "window" too. A telling word counts only for a page that holds it as typed, in its text or
	// its metadata (the question and the other ways it is asked).
	const pastedText = looksPasted(raw);
	ranked.forEach((r, i) => {
		const { text } = datas[i] as PageFacts;
		for (const slot of slots)
			if (slot.telling && r.credit?.has(slot.term) && !holds(text, slot.searches, pastedText)) {
				r.score -= r.credit.get(slot.term) ?? 0;
				r.held.delete(slot.term);
			}
	});
	// A heading names the look-up only where its section holds the query (Pagefind's sections for
	// this search, read for the few pages whose headings could name it at all).
	const names = await Promise.all(
		ranked.map(async (r, i) => {
			const d = datas[i] as PageFacts;
			if (problem || d.meta['kind'] === 'faq' || !pageNames(d, lookup)) return false;
			return titleNames(d.meta['title'] ?? '', lookup) || pageNames(await r.result.data(), lookup);
		})
	);
	const order = ranked.map((r, i) => {
		const d = datas[i] as PageFacts;
		const m = pasted.find((p) => p.url === d.url);
		const meshes = d.filters?.['mesh'] ?? [];
		const prior =
			(d.meta['kind'] === 'faq' ? (problem ? answerPrior : -guidePrior) * total : 0) +
			(names[i] ? titlePrior * total : 0) -
			(named && meshes.length > 0 && !meshes.includes(named) ? otherMeshPenalty * total : 0);
		return {
			r,
			d,
			pin: m?.pin ? m.strength : 0,
			score: r.score + prior + (m && !m.pin ? m.strength : 0),
		};
	});
	order.sort(pinnedFirst);
	const top = order.slice(0, limit);
	const hitTerms = slots.flatMap((s) => [s.term, ...partsOf(s.term)]);
	// A page that holds the typed phrase lands on the section that holds it ("istioctl waypoint
	// apply" on the section that runs it, not on another that names istioctl).
	// Only the results shown are read with this query's excerpt and sections (each `data()` is a
	// copy from Pagefind's worker, so the two reads of a page cannot overwrite each other).
	const phraseRun = new Map((runOf.get(phrase)?.results ?? []).map((r) => [r.id, r]));
	const [shown, inPhrase] = await Promise.all([
		Promise.all(top.map(({ r }) => r.result.data())),
		Promise.all(
			top.map(async ({ r }) => {
				const held = phraseRun.get(r.result.id);
				return held ? bestSub(await held.data(), hitTerms) : undefined;
			})
		),
	]);
	const hits = shown.map((d, i) => {
		const sub = inPhrase[i] ?? bestSub(d, hitTerms);
		return {
			url: sub?.url ?? d.url,
			page: d.meta['title'] ?? d.url,
			section: sub?.title,
			excerpt: safeExcerpt(sub?.excerpt ?? d.excerpt),
			kind: d.meta['kind'],
		};
	});
	return {
		hits,
		searched: changed ? query : undefined,
		analysis,
		// Words no page holds (real words the site never uses, and unknown ones) are telling too.
		weak: weakness(slots, [...absent, ...(analysis?.unknown ?? [])], top[0]?.r.held),
	};
}

/**
 * The terms a query's phrasing is matched by. A name with dots in a problem report
 * ("sidecar.istio.io/inject annotation does not work") is its words: other readers' phrasings of
 * the problem say "sidecar injection not working", and a phrasing is read as words anyway. A
 * look-up of the name keeps it whole: it asks for the page that shows the name.
 */
export function phrasingTerms(terms: string[], problem: boolean): string[] {
	return terms.flatMap((t) =>
		problem && t.includes('.') && partsOf(t).length > 1 ? partsOf(t) : [t]
	);
}

/**
 * Adds to each found page's score `weight` times how well one of its phrasings (question, `asked:`,
 * quoted errors) matches the query's terms. Pages are known by the ids the vocabulary lists, so
 * the result is the same whether or not any page's text has been read yet.
 */
export function phrasingBonus(
	fused: Map<string, { score: number }>,
	lex: Lexicon,
	terms: string[],
	weight: number
): void {
	for (const [url, share] of questionMatch(lex, terms)) {
		const entry = fused.get(lex.ids.get(url) ?? '');
		if (entry) entry.score += weight * share;
	}
}

/**
 * Whether a page's text holds a word as typed (or as the start of a longer word: "retry" in
 * "retrying") or one of its synonyms, rather than only a word that shares its stem.
 */
export function holds(text: string, words: string[], loose = false): boolean {
	const at = (w: string) => {
		for (let i = text.indexOf(w); i >= 0; i = text.indexOf(w, i + 1))
			if (i === 0 || !/[\p{L}\p{N}]/u.test(text[i - 1] ?? '')) return true;
		return false;
	};
	return words.some((typed) => {
		if (!/^[\p{L}\p{N}]+$/u.test(typed)) return true;
		// "bypasses" is in "bypass", "retries" in "retry"; in a pasted message a verb's other
		// forms are the same word too ("creating" in "create", "calling" in "calls", "logged" in
		// "logging"), as long as four letters are left to find.
		const long = typed.length > 6;
		const forms = [
			typed,
			long ? typed.replace(/(?:ss|sh|ch|x)es$/, (e) => e.slice(0, -2)) : typed,
			long ? typed.replace(/ies$/, 'y') : typed,
			loose ? typed.replace(/(?<=^[\p{L}\p{N}]{4,})(?:ing|ed)$/u, '') : typed,
		];
		return [...new Set(forms)].some(at);
	});
}

/**
 * Answers whose quoted error a paste holds (`pin`, the strength of the match) come first; among
 * them the match and what the paste and the page share otherwise both count: in a webhook's
 * "failed calling webhook ...: x509: certificate signed by unknown authority" the x509 answers
 * match a little more surely, but the webhook answer holds far more of the paste.
 */
export function pinnedFirst(
	a: { pin: number; score: number },
	b: { pin: number; score: number }
): number {
	return Number(b.pin > 0) - Number(a.pin > 0) || b.score + b.pin - (a.score + a.pin);
}

/**
 * The one mesh a query names by its id ("istio", "linkerd") or by a word only that mesh has
 * (`others`, from the vocabulary: a reader who pastes an Envoy log line or asks about a
 * DestinationRule asks about Istio without writing its name), when it names exactly one of the
 * meshes the pages are filtered by; undefined otherwise.
 */
export function meshNamed(
	typed: string,
	datas: { filters?: Record<string, string[]> }[],
	others: Map<string, Set<string>> = new Map()
) {
	const ids = new Set(datas.flatMap((d) => d.filters?.['mesh'] ?? []));
	const words = typed.split(/[^\p{L}\p{N}]+/u);
	const named = [...ids].filter((id) => words.some((w) => w === id || others.get(id)?.has(w)));
	return named.length === 1 ? named[0] : undefined;
}

/**
 * The telling words the best result does not hold, when they outweigh the ones it does; words
 * the site never uses count as telling. Undefined when the results look right.
 */
export function weakness(
	slots: Slot[],
	absent: string[],
	held: Set<string> | undefined
): string[] | undefined {
	const telling = slots.filter((s) => s.telling);
	const absentWeight = 6;
	const mass = telling.reduce((n, s) => n + s.weight, 0) + absent.length * absentWeight;
	if (mass === 0) return undefined;
	const kept = telling.filter((s) => held?.has(s.term)).reduce((n, s) => n + s.weight, 0);
	if (kept >= mass / 2) return undefined;
	return [...telling.filter((s) => !held?.has(s.term)).map((s) => s.term), ...absent];
}
