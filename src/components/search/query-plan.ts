/**
 * Readers type questions ("do I need to restart pods after enabling linkerd") and paste whole log
 * lines; Pagefind only returns pages that contain every term. This module finds the words of a
 * query that can tell pages apart (key terms): not stop words, and not the noise a pasted line
 * carries (versions, hashes, IP addresses, timestamps, pod names, punctuation). The engine then
 * weighs them by how rare they are on the site.
 */

/** Words that carry no meaning for this site's search. */
export const stopWords = new Set(
	`a about after all also am an and any are as at be been before being but by can could do does
	doing done during each for from get gets got had has have having how i if in into is it its just
	me might my need needs no not of on once one only or our out over own should so some such than
	that the their them then there these they this those through to too under until up use using very
	was we were what when where which while who why will with would you your after enabling enable
	make sure way ways work works working s t
	doesn don didn isn aren wasn weren won wouldn couldn shouldn hasn haven hadn cannot
	per via due since across within between among against upon onto unless though although whether
	else etc eg ie another other others every more most much many`
		.split(/\s+/)
		.filter(Boolean)
);

/**
 * Words that say what a reader asks of the docs rather than what about: an issue titled "mTLS
 * setup is not clearly described in the documents" is about mTLS, and its "described" and
 * "documents" (rare on this site, so they would weigh most) tell no page apart.
 */
export const requestWords = new Set(
	`document documents documented documenting documentation docs doc describe described describes
	describing description explain explained explains explanation clarify clarified clarification
	clearly mention mentioned mentions ability please guide guides instructions information info`.split(
		/\s+/
	)
);

/** Phrasings of intent that the words alone miss: "not use a mesh" means the "neither" advice. */
export const intentPhrases: { pattern: RegExp; add: string }[] = [
	{
		pattern: /\b(?:not|never|dont|don't|without|avoid)\s+(?:use|need|using|install)\b/,
		add: 'neither premature',
	},
	{ pattern: /\bwhat is\b|\bwhat does\b.*\bmean\b|\bdefine\b/, add: 'glossary' },
];

const maxTerms = 12;

/**
 * What a pasted log line carries around its message: the level, written in capitals (`INFO`,
 * `WARN`, `ERROR`), and the fields of a tracing span in braces (`{client.addr=10.1.2.3:80
 * target.addr=...}`, `{port=80}`). Every proxy log line has them, so they say nothing about which
 * problem it reports; what they name is rare on the site, so they would weigh the most.
 */
const logChrome = [
	/(?<![\p{L}\p{N}_-])(?:TRACE|DEBUG|INFO|WARN|WARNING|ERROR|FATAL)(?![\p{L}\p{N}_-])/gu,
	/\{(?:\s*[\w.-]+=[^\s{}]*)+\s*\}/g,
];

/**
 * Lower-cases, trims, folds white space, and cuts very long input to a sane length. A log line's
 * level and span fields go, unless nothing else is left.
 */
export function normalise(raw: string): string {
	const bare = logChrome.reduce((t, p) => t.replace(p, ' '), raw);
	const folded = fold(/[\p{L}\p{N}]/u.test(bare) ? bare : raw);
	const plain = folded.replace(idioms, ' ').replace(/\s+/g, ' ').trim();
	return plain || folded;
}

/**
 * Idioms of issue titles whose words say nothing about the problem: "not working out of the box"
 * holds a "box" that is rare on this site, so it weighed more than the words that name the problem.
 */
const idioms = /\bout of the box\b/g;

function fold(raw: string): string {
	return raw
		.normalize('NFKC')
		.toLowerCase()
		.replace(/[^\p{L}\p{N}\s./:=@_-]+/gu, ' ')
		.replace(/\s+/g, ' ')
		.trim()
		.slice(0, 200);
}

const noisePatterns: RegExp[] = [
	// Versions and release names: 1.17.1, v1.8.2, edge-21.1.2, stable-2.13.4, 1.24-alpha.
	/^(?:[a-z]+-)?v?\d+(?:\.\d+)+(?:[-+][\w.]+)?$/,
	// IP addresses, with or without a port; CIDRs; and an address with the path a URL puts after it
	// (`https://192.168.1.98:16443/api?timeout=32s` leaves `192.168.1.98:16443/api`): an address
	// names a reader's machine, never what the site is about.
	/^\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?(?:\/[\w./-]*)?$/,
	// Dates, times and timestamps: 2020-01-23t21:12:23z, 2020/08/13, 21:11:31, 00:10:25.
	/^\d{4}[-/]\d{2}[-/]\d{2}/,
	/^\d{1,2}(?::\d{2}){1,2}(?:\.\d+)?z?$/,
	// Hashes, UUIDs and long numbers: sha256 digests, container ids, request ids.
	/^(?=[0-9a-f-]*\d)[0-9a-f]{7,}$/,
	/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
	/^\d{6,}$/,
	// host:port, as in URLs and log lines.
	/^[\w.-]+:\d+$/,
	// Pod names: a workload name followed by generated suffixes (httpbin-6cbc6f986f-kh52h,
	// ztunnel-x7qkz). Kubernetes draws them from an alphabet without vowels
	// (kubernetes/apimachinery pkg/util/rand/rand.go, alphanums), so "istio-proxy",
	// "pilot-agent" and "server-first" are words, not pods.
	/^[a-z][a-z0-9-]*-[bcdfghjklmnpqrstvwxz2456789]{6,10}-[bcdfghjklmnpqrstvwxz2456789]{5}$/,
	/^[a-z][a-z0-9-]*-[bcdfghjklmnpqrstvwxz2456789]{5}$/,
	// Durations and sizes: 10s, 250ms, 30m, 128mi.
	/^\d+(?:\.\d+)?(?:ns|us|ms|s|m|h|ki|mi|gi|kb|mb|gb)$/,
	// Thread ids and log prefixes: threadid(01) is normalised to "threadid 01"; neither part says
	// what the line is about.
	/^0\d$/,
	/^threadid$/,
];

/** Whether a token is noise a pasted message carries rather than a word that says what it is about. */
export function isNoise(token: string): boolean {
	if (!/[\p{L}\p{N}]/u.test(token)) return true;
	if (/^\d{1,2}$/.test(token)) return true;
	return noisePatterns.some((p) => p.test(token));
}

/**
 * The tokens of a normalised query with their punctuation trimmed: `tap.linkerd.io/v1alpha1:`
 * becomes `tap.linkerd.io/v1alpha1`, `level=error` becomes `level` and `error`.
 */
export function tokens(query: string): string[] {
	return query
		.split(/[\s=]+|::|:(?=\s|$)|:(?![\w.-]*\d)/)
		.map((t) => t.replace(/^[./:@_-]+|[./:@_-]+$/g, ''))
		.filter(Boolean);
}

/** The words of a normalised query that can tell pages apart, in order, without repeats. */
export function keyTerms(query: string): string[] {
	const out: string[] = [];
	for (const t of tokens(query)) {
		if (stopWords.has(t) || requestWords.has(t) || isNoise(t) || out.includes(t)) continue;
		out.push(t);
		if (out.length >= maxTerms) break;
	}
	return out;
}

/**
 * The parts a compound token is also indexed by (`gateway.networking.k8s.io` by `gateway`,
 * `networking`, `k8s`), without stop words and noise.
 */
export function partsOf(term: string): string[] {
	const parts = term.split(/[._/@-]+/).filter((p) => p.length > 1);
	return parts.length > 1 ? parts.filter((p) => !stopWords.has(p) && !isNoise(p)) : [];
}

/**
 * The words inside each CamelCase identifier of a raw query, by the identifier lower-cased:
 * `CertNotValidYet` holds `cert`, `valid`, `yet` (stop words and noise left out). Rust and Go
 * errors name their cause this way (`BadCertificate`, `HostIsNotAnIpAddress`); when the site
 * does not hold the identifier whole, its words are what the message says.
 */
export function camelParts(raw: string): Map<string, string[]> {
	const out = new Map<string, string[]>();
	for (const word of raw.normalize('NFKC').match(/\b[A-Za-z][A-Za-z0-9]*[a-z][A-Z][A-Za-z0-9]*/g) ??
		[]) {
		const parts = word
			.split(/(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])/)
			.map((p) => p.toLowerCase())
			.filter((p) => p.length > 1 && !stopWords.has(p) && !isNoise(p));
		if (parts.length > 1) out.set(word.toLowerCase(), parts);
	}
	return out;
}

/**
 * Whether the query compares ("istio vs linkerd", "mesh vs api gateway"): "vs" or "versus" stands
 * between two words that name what is compared. Elsewhere ("why does vs not apply") "vs" is a
 * name, kubectl's short name for a VirtualService, and may be searched as that.
 */
export function compares(query: string): boolean {
	const t = tokens(query);
	const named = (w: string | undefined) => w !== undefined && !stopWords.has(w) && !isNoise(w);
	return t.some((w, i) => (w === 'vs' || w === 'versus') && named(t[i - 1]) && named(t[i + 1]));
}

/** Extra searches the phrasing asks for, such as the "neither" advice or the glossary. */
export function intents(query: string): string[] {
	return intentPhrases.filter((i) => i.pattern.test(query)).map((i) => i.add);
}
