import { camelParts, stopWords } from './query-plan.ts';

/**
 * Typo tolerance, honest empties and pasted errors, on top of Pagefind (which matches whole words
 * and prefixes only). Pure functions over the vocabulary the build writes; unit-tested.
 */

export interface Lexicon {
	/** Pages each word appears on. */
	df: Map<string, number>;
	/** Pages indexed: what rarity is measured against. */
	pages: number;
	/** Words by first letter, for candidate lookup. */
	byInitial: Map<string, string[]>;
	/**
	 * Real words (English and Kubernetes) that the site does not use but that are close to a site
	 * word: they are kept as typed, never "corrected" into that site word.
	 */
	dictionary: Set<string>;
	/** Terms that mean the same here, from the answers' own data; each group lists its spellings. */
	synonyms: Map<string, string[]>;
	/** Short names and the name each stands for (`vs`: `virtualservice`). */
	abbreviations: Map<string, string>;
	/**
	 * Quoted error texts and other phrasings. `disowned`: the same text is quoted by several
	 * answers and another one's question names what sets it apart, this one's does not.
	 */
	errors: { text: string; url: string; tokens: string[]; tail: string[]; disowned?: boolean }[];
	/** Each answer's question: an error its question names is the one it is about. */
	titles: Map<string, Set<string>>;
	/** The words that name each mesh without its name, by mesh id. */
	meshWords: Map<string, Set<string>>;
	/** Each page's Pagefind result id by URL, known before any page is read. */
	ids: Map<string, string>;
}

/** What the build writes beside the index (search-vocabulary.json); see vocabulary.ts. */
export interface VocabularyData {
	words: string[];
	df: number[];
	pages?: number;
	errors: { text: string; url: string }[];
	/** Page titles (an answer's question) by URL. */
	titles?: Record<string, string>;
	/** The words search keeps as typed, front-coded (see frontCode) or as a plain list. */
	dictionary?: string | string[];
	synonyms?: string[][];
	/**
	 * Short names that stand for a longer one (kubectl's `vs` for VirtualService), one way only:
	 * the short name finds the long one, never the reverse ("istio vs linkerd" is no VirtualService).
	 */
	abbreviations?: [string, string][];
	/** Each page's Pagefind id (its fragment's hash) by URL. */
	ids?: Record<string, string>;
	/** The words that name each mesh without its name, by mesh id (see meshWords in vocabulary.ts). */
	meshWords?: Record<string, string[]>;
}

export function makeLexicon(v: VocabularyData): Lexicon {
	const df = new Map<string, number>();
	const byInitial = new Map<string, string[]>();
	v.words.forEach((w, i) => {
		df.set(w, v.df[i] ?? 1);
		const list = byInitial.get(w[0] ?? '') ?? [];
		list.push(w);
		byInitial.set(w[0] ?? '', list);
	});
	const synonyms = new Map<string, string[]>();
	for (const group of v.synonyms ?? [])
		for (const term of group)
			synonyms.set(term, [
				...new Set([...(synonyms.get(term) ?? []), ...group.filter((t) => t !== term)]),
			]);
	for (const [short, long] of v.abbreviations ?? [])
		synonyms.set(short, [...new Set([...(synonyms.get(short) ?? []), long])]);
	const titles = new Map(
		Object.entries(v.titles ?? {}).map(([url, t]) => [url, new Set(errorTokens(t))])
	);
	const errors = v.errors.map((e) => ({
		...e,
		tokens: errorTokens(e.text),
		tail: errorTokens(distinctivePart(e.text)),
	}));
	const lex: Lexicon = {
		df,
		pages: v.pages ?? Math.max(1, ...v.df),
		byInitial,
		dictionary: new Set(
			typeof v.dictionary === 'string' ? frontDecode(v.dictionary) : (v.dictionary ?? [])
		),
		synonyms,
		abbreviations: new Map(v.abbreviations ?? []),
		errors: markDisowned(errors, titles),
		titles,
		ids: new Map(Object.entries(v.ids ?? {})),
		meshWords: new Map(Object.entries(v.meshWords ?? {}).map(([id, w]) => [id, new Set(w)])),
	};
	// Built with the rest when search loads (on intent), not on the keystroke that first needs it:
	// about 9 ms, and it was the first queries' keystroke-to-results time that paid.
	kinIndex(lex);
	return lex;
}

/**
 * A sorted word list written compactly: each word as the length of the start it shares with the
 * word before (one digit, at most 9) and the rest, space-separated ("istio istiod" becomes
 * "0istio 5d"). The dictionary search ships is a third smaller gzipped this way.
 */
export function frontCode(words: string[]): string {
	let prev = '';
	return [...words]
		.sort()
		.map((w) => {
			let k = 0;
			while (k < 9 && k < prev.length && k < w.length && prev[k] === w[k]) k++;
			prev = w;
			return `${k}${w.slice(k)}`;
		})
		.join(' ');
}

/** The words of a front-coded list (see frontCode). */
export function frontDecode(coded: string): string[] {
	const out: string[] = [];
	let prev = '';
	for (const item of coded.split(' ')) {
		if (!item) continue;
		const w = prev.slice(0, Number(item[0])) + item.slice(1);
		out.push(w);
		prev = w;
	}
	return out;
}

/** How telling a word is: rare words weigh more, words nowhere on the site the most. */
export function idf(lex: Lexicon, term: string): number {
	return Math.log((lex.pages + 1) / ((lex.df.get(term) ?? 0) + 0.5));
}

const rows = ['qwertyuiop', 'asdfghjkl', 'zxcvbnm'];
const keyAt = new Map<string, [number, number]>();
rows.forEach((row, r) => [...row].forEach((k, c) => keyAt.set(k, [r, c + r * 0.5])));

/** Substituting a neighbouring key is the most common slip, so it costs less than any other. */
function substitutionCost(a: string, b: string): number {
	const pa = keyAt.get(a);
	const pb = keyAt.get(b);
	if (pa && pb && Math.abs(pa[0] - pb[0]) <= 1 && Math.abs(pa[1] - pb[1]) <= 1) return 0.6;
	return 1;
}

/** Damerau-Levenshtein (optimal string alignment) with keyboard-aware substitutions. */
export function distance(a: string, b: string, max = Infinity): number {
	if (Math.abs(a.length - b.length) > max) return Infinity;
	const n = b.length;
	// Three rolling rows: the one before last is needed for transpositions.
	let before = new Float64Array(n + 1);
	let prev = Float64Array.from({ length: n + 1 }, (_, j) => j);
	let row = new Float64Array(n + 1);
	for (let i = 1; i <= a.length; i++) {
		row[0] = i;
		let rowMin = i;
		const ca = a[i - 1] ?? '';
		for (let j = 1; j <= n; j++) {
			const cb = b[j - 1] ?? '';
			let v = Math.min(
				(prev[j] ?? 0) + 1,
				(row[j - 1] ?? 0) + 1,
				(prev[j - 1] ?? 0) + (ca === cb ? 0 : substitutionCost(ca, cb))
			);
			if (i > 1 && j > 1 && ca === b[j - 2] && a[i - 2] === cb)
				v = Math.min(v, (before[j - 2] ?? 0) + 1);
			row[j] = v;
			if (v < rowMin) rowMin = v;
		}
		if (rowMin > max) return Infinity;
		[before, prev, row] = [prev, row, before];
	}
	return prev[n] ?? Infinity;
}

/**
 * Words that must never be "corrected": short API names and abbreviations (hpa, sa, l7), flags
 * (--set), versions and anything with digits (1.31, v1beta1, k8s), and dotted or slashed names
 * (gateway.networking.k8s.io, istio/ztunnel).
 */
export function correctable(term: string): boolean {
	return term.length >= 4 && /^[a-z]+$/.test(term);
}

/**
 * How far a typo may be from the word meant, by length: one slip, two in a long word. Readers'
 * typos are nearly always one slip; a wider net turns real words into site words.
 */
export function allowance(term: string): number {
	return term.length <= 8 ? 1 : 2;
}

/** A light English stem, so that "rotation", "rotate" and "rotated" or "expires" and "expired" meet. */
export function stem(word: string): string {
	if (word.length <= 4 || !/^[a-z]+$/.test(word)) return word;
	return word
		.replace(/(?:ions?|ings?|ements?|ers?|ed|es|s|ly|e)$/, '')
		.replace(/(?<=\w{3})at$/, '')
		.replace(/(.)\1$/, '$1');
}

const kin = new WeakMap<Lexicon, Map<string, string>>();

/**
 * The site's own form of a word the site does not use in that form: the commonest site word with
 * the same stem ("duplicate" for "duplication", from "Disconnect and retray provokes duplication
 * of message", istio/istio#19519). Such a word is neither a typo nor absent from the site: a
 * correction's one or two slips cannot reach it, and dropping it lost what the query was about.
 */
export function kinWord(lex: Lexicon, term: string): string | undefined {
	if (term.length < 5 || !/^[a-z]+$/.test(term)) return undefined;
	return kinIndex(lex).get(stem(term));
}

/** The commonest site word of each stem (kinWord). */
function kinIndex(lex: Lexicon): Map<string, string> {
	let index = kin.get(lex);
	if (!index) {
		index = new Map();
		for (const [w, n] of lex.df) {
			if (w.length < 5 || !/^[a-z]+$/.test(w)) continue;
			const had = index.get(stem(w));
			if (!had || n > (lex.df.get(had) ?? 0)) index.set(stem(w), w);
		}
		kin.set(lex, index);
	}
	return index;
}

/** Whether a word is on the site, allowing simple plurals and verb endings. */
export function known(lex: Lexicon, term: string, typing = false): boolean {
	if (lex.df.has(term)) return true;
	for (const variant of [`${term}s`, term.replace(/(?:es|s|ed|ing)$/, '')])
		if (variant !== term && variant.length > 2 && lex.df.has(variant)) return true;
	// The last word may still be being typed: a short start, or most of a longer word, counts.
	if (typing)
		for (const w of lex.byInitial.get(term[0] ?? '') ?? [])
			if (w.startsWith(term) && (term.length <= 4 || term.length / w.length >= 0.7)) return true;
	return false;
}

const memo = new WeakMap<Lexicon, Map<string, string[]>>();

/** The closest site words to a term, best first (distance, then how common); memoised per term. */
export function suggestions(
	lex: Lexicon,
	term: string,
	max = allowance(term),
	limit = 3
): string[] {
	const cache = memo.get(lex) ?? new Map<string, string[]>();
	memo.set(lex, cache);
	const id = `${term} ${max} ${limit}`;
	const hit = cache.get(id);
	if (hit) return hit;
	const found = closest(lex, term, max, limit);
	cache.set(id, found);
	return found;
}

function closest(lex: Lexicon, term: string, max: number, limit: number): string[] {
	const scored: { w: string; d: number; df: number }[] = [];
	// A typo rarely hits the first letter, so look there first; then everywhere for short lists.
	const pool = new Set([...(lex.byInitial.get(term[0] ?? '') ?? [])]);
	if (pool.size < 50) for (const list of lex.byInitial.values()) for (const w of list) pool.add(w);
	for (const w of pool) {
		if (!/^[a-z]+$/.test(w) || w === term) continue;
		const d = distance(term, w, max);
		if (d <= max) scored.push({ w, d, df: lex.df.get(w) ?? 0 });
	}
	return scored
		.sort((a, b) => a.d - b.d || b.df - a.df)
		.slice(0, limit)
		.map((s) => s.w);
}

export interface Analysis {
	/** The query to search with, typos corrected and unknown words dropped. */
	query: string;
	/** Each corrected word: what was typed and what it became. */
	corrections: { from: string; to: string }[];
	/** Words that are nowhere on the site and had no close match. */
	unknown: string[];
	/** Real words (in the dictionary) that the site does not use: kept, never corrected. */
	absent: string[];
	/** True when no word of the query is on the site: show no results, only suggestions. */
	empty: boolean;
	/** Site words close to the unknown ones, for "did you mean". */
	didYouMean: string[];
}

/**
 * Decides what to search for: corrects what can only be a misspelling, and says when nothing can
 * match. A word in the dictionary is a real word, not a typo, even when the site never uses it:
 * "sticky" must not become "stuck", nor "closing" "choosing".
 */
export function analyse(lex: Lexicon, terms: string[]): Analysis {
	const corrections: Analysis['corrections'] = [];
	const unknown: string[] = [];
	const absent: string[] = [];
	const didYouMean: string[] = [];
	const out: string[] = [];
	terms.forEach((t, i) => {
		const last = i === terms.length - 1;
		if (!correctable(t) || known(lex, t, last)) {
			out.push(t);
			return;
		}
		if (inDictionary(lex, t)) {
			absent.push(t);
			out.push(t);
			return;
		}
		// Neither a site word nor one the dictionary knows, but a form of a site word: searched as
		// that word (see kinWord), not corrected into another nor dropped.
		if (kinWord(lex, t)) {
			out.push(t);
			return;
		}
		const best = suggestions(lex, t, allowance(t), 1)[0];
		if (best) {
			corrections.push({ from: t, to: best });
			out.push(best);
			return;
		}
		unknown.push(t);
		didYouMean.push(...suggestions(lex, t, 3, 2));
	});
	return {
		query: out.join(' '),
		corrections,
		unknown,
		absent,
		empty: out.length === absent.length,
		didYouMean: [...new Set(didYouMean)].slice(0, 4),
	};
}

/** Whether a word (or its singular, or its stem) is a real word the dictionary knows. */
export function inDictionary(lex: Lexicon, term: string): boolean {
	if (lex.dictionary.has(term)) return true;
	for (const variant of [term.replace(/(?:es|s|ed|ing|ly)$/, ''), term.replace(/s$/, '')])
		if (variant !== term && variant.length > 3 && lex.dictionary.has(variant)) return true;
	return false;
}

/**
 * Whether an answer's question names a quoted text: it holds at least half of the words of the
 * text's distinctive part ("service in fail-fast" in "Why does Linkerd return 504 \"service in
 * fail-fast\"...").
 */
function names(title: Set<string> | undefined, tail: string[]): boolean {
	const words = [...new Set(tail.filter((t) => !stopWords.has(t)))];
	return words.length > 0 && words.filter((t) => title?.has(t)).length * 2 >= words.length;
}

/**
 * Marks the quotes of a text several answers share that belong to another answer: when one of
 * them asks about the text in its question ("l5d-proxy-error: service in fail-fast" on the
 * fail-fast answer, on the rollout answer and on the no-healthy-upstream one), the others quote
 * it as one symptom among theirs, and a paste of it alone is the first one's question.
 */
export function markDisowned<E extends { text: string; url: string; tail: string[] }>(
	errors: E[],
	titles: Map<string, Set<string>>
): (E & { disowned?: boolean })[] {
	const key = (e: E) => e.text.toLowerCase().replace(/\s+/g, ' ').trim();
	const quoting = new Map<string, Set<string>>();
	for (const e of errors) quoting.set(key(e), (quoting.get(key(e)) ?? new Set()).add(e.url));
	return errors.map((e) => {
		const urls = quoting.get(key(e)) ?? new Set();
		if (urls.size < 2 || names(titles.get(e.url), e.tail)) return e;
		const owned = [...urls].some((u) => names(titles.get(u), e.tail));
		return owned ? { ...e, disowned: true } : e;
	});
}

/** Tokens of an error text that identify it: no numbers, no one-letter words. */
export function errorTokens(text: string): string[] {
	return (text.toLowerCase().match(/[a-z][a-z0-9_]+/g) ?? []).filter((t) => t.length > 1);
}

/** Whether a query looks pasted rather than typed: long, or with an error's punctuation. */
export function looksPasted(raw: string): boolean {
	return raw.length >= 40 || /["'()]|: |\.\s|\w\/\w/.test(raw);
}

/**
 * The part of an error text that tells it apart from its relatives: what follows the last ": ".
 * "upstream connect error or disconnect/reset before headers. reset reason: connection
 * termination" and "... reset reason: overflow" share everything but that.
 */
export function distinctivePart(text: string): string {
	const at = text.lastIndexOf(': ');
	const tail = at >= 0 ? text.slice(at + 2) : text;
	return errorTokens(tail).filter((t) => !stopWords.has(t)).length >= 2 ? tail : text;
}

/**
 * Share of a match's strength left to an answer that quotes a text another answer asks about
 * (see markDisowned). 0 to 0.7 do as well as each other on the typed, typo, error and tuning
 * sets; half keeps the answer among the results for a paste that holds more of its own words.
 */
export const disownedShare = 0.5;

/**
 * A word on more than this share of the pages is common: a known text whose distinctive part
 * holds only common words ("server: istio-envoy", "linkerd default inbound policy") matches a
 * paste only where the paste says it as written, word after word (tuned on the typed, error and
 * tuning sets: 0.12 to 0.15 do as well as each other, 0.08 loses a typed query, 0.18 and above
 * keep linkerd/linkerd2#10691 on the default-deny answer).
 */
export const commonShare = 0.15;

/**
 * Whether a known text's distinctive part can match a paste that holds its words: when one of
 * them is rare on the site, their presence is enough; when all are common, only the words in the
 * order written, side by side. "Incoming Request logs are not observable at istio-proxy[Envoy]
 * logs" (istio/istio#17587) holds "istio" and "envoy" but is no "server: istio-envoy" header, and
 * "linkerd-viz ... rely on a default-inbound-policy" (linkerd/linkerd2#10691) is no "linkerd
 * default inbound policy".
 */
export function saysTail(lex: Lexicon, tail: string[], said: string): boolean {
	const common = Math.max(3, lex.pages * commonShare);
	return (
		tail.some((t) => !stopWords.has(t) && (lex.df.get(t) ?? 0) <= common) ||
		` ${said} `.includes(` ${tail.join(' ')} `)
	);
}

/** How sure a match is, by the rarity of the words it shares; a pin needs at least this much. */
const pinStrength = 12;

/**
 * Answers whose quoted error text a pasted query contains, strongest first. A text matches only
 * on its distinctive part (at least 80 % of its words, which must be two or more, and in the order
 * written when they are all common words; see saysTail): shared boilerplate never decides.
 * Strength is the rarity of every word of the text the query holds, so "connection refused"
 * inside a long log line counts for little and a whole Envoy message for much. `pin` marks matches
 * sure enough to put first.
 */
export function matchErrors(
	lex: Lexicon,
	raw: string
): { url: string; strength: number; pin: boolean }[] {
	// `CertNotValidYet` says "not valid yet": its words count as the message's.
	const q = new Set([...errorTokens(raw), ...[...camelParts(raw).values()].flat()]);
	const lower = raw.toLowerCase();
	if (q.size === 0) return [];
	const said = errorTokens(raw).join(' ');
	const best = new Map<string, number>();
	for (const e of lex.errors) {
		const tail = e.tail.filter((t) => !stopWords.has(t));
		if (tail.length < 2) continue;
		const hit = tail.filter((t) => q.has(t)).length;
		if (hit / tail.length < 0.8 || !saysTail(lex, e.tail, said)) continue;
		const title = lex.titles.get(e.url);
		// Shared words count; those the answer's own question names count half again, so that of
		// two answers quoting one message, the one asking about it comes first.
		const shared = [...new Set(e.tokens)]
			.filter((t) => q.has(t) && !stopWords.has(t))
			.reduce((n, t) => n + idf(lex, t) * (title?.has(t) ? 1.5 : 1), 0);
		// A text with an address or port that the paste holds word for word ("Error connecting
		// to 127.0.0.6:15002") is as sure as a match gets: its words alone say little, and the
		// address is what sets it apart.
		const verbatim =
			/\d+\.\d+\.\d+\.\d+|:\d{2,5}\b/.test(e.text) && lower.includes(e.text.toLowerCase());
		const strength =
			(verbatim ? Math.max(shared, pinStrength) : shared) * (e.disowned ? disownedShare : 1);
		best.set(e.url, Math.max(best.get(e.url) ?? 0, strength));
	}
	return [...best.entries()]
		.map(([url, strength]) => ({ url, strength, pin: strength >= pinStrength }))
		.sort((a, b) => b.strength - a.strength);
}
