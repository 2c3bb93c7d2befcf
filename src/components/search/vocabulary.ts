import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { STATUS_CODES } from 'node:http';
import { join } from 'node:path';
import type { Element, Root } from 'hast';
import { fromHtml } from 'hast-util-from-html';
import { selectAll } from 'hast-util-select';
import { parseAllDocuments } from 'yaml';
import { listPages, urlOfFile } from '../../lib/dist-files.ts';
import {
	allowance,
	correctable,
	distance,
	frontCode,
	known,
	makeLexicon,
	type VocabularyData,
} from './correct.ts';
import { textOf } from '../../lib/hast-text.ts';
import { excludeSelectors, removedTags } from './index-exclusions.ts';
import { stopWords } from './query-plan.ts';

/**
 * The site's vocabulary, written next to the index at build time and loaded with search (never
 * before): every word Pagefind indexed (article text, so glossary terms, API kinds and fields,
 * CLI commands and flags are all in it) with the number of pages it appears on; the exact error
 * texts troubleshooting answers quote and the other ways readers ask each answer (`asked:`); the
 * real words close to a site word, so that they are never "corrected" into it; and groups of
 * terms that mean the same, taken from the site's own data. Search uses it to correct typos, to
 * tell an honest "nothing found", to weigh rare words and to match pasted errors.
 */
export type Vocabulary = Required<Omit<VocabularyData, 'dictionary'>> & { dictionary: string };

/** Words as search sees them: lower-case runs of letters and digits, with inner . - / _ kept. */
export function tokenize(text: string): string[] {
	return (text.toLowerCase().match(/[\p{L}\p{N}]+(?:[._/-][\p{L}\p{N}]+)*/gu) ?? []).flatMap(
		(w) => {
			// "gateway.networking.k8s.io" is found by its parts as well as whole.
			const parts = w.split(/[._/-]/).filter((p) => p.length > 1);
			return parts.length > 1 ? [w, ...parts] : [w];
		}
	);
}

/** What Pagefind leaves out of a page: its removed elements, data-pagefind-ignore and our exclusions. */
function ignoredIn(tree: Root): (e: Element) => boolean {
	// One walk for the whole list: a walk per selector was a fifth of the vocabulary's build time.
	const excluded = new Set(selectAll(excludeSelectors.join(', '), tree));
	return (e) =>
		e.properties['dataPagefindIgnore'] !== undefined ||
		removedTags.has(e.tagName) ||
		excluded.has(e);
}

/** The sources of the dictionary: English (SCOWL-based word-list) and Kubernetes terms (cspell). */
export function readDictionary(files: string[]): string[] {
	return files.flatMap((f) =>
		readFileSync(f, 'utf8')
			.split('\n')
			.map((w) => w.trim().toLowerCase())
			.filter((w) => /^[a-z]+$/.test(w))
	);
}

/**
 * The dictionary words search must keep as typed: those a correction would otherwise replace
 * with a site word. Only they matter, so only they ship (a few thousand words, not 275,000).
 */
export function keepList(v: Pick<Vocabulary, 'words' | 'df'>, dictionary: string[]): string[] {
	const lex = makeLexicon({ ...v, errors: [] });
	// Symmetric deletion: two words within two edits share a string made by deleting at most two
	// letters from each, so only those few pairs need their distance measured.
	const index = new Map<string, string[]>();
	for (const w of v.words)
		if (/^[a-z]{3,}$/.test(w))
			someDeletion(w, 2, (d) => {
				const list = index.get(d);
				if (!list) index.set(d, [w]);
				else if (list[list.length - 1] !== w) list.push(w);
				return false;
			});
	const smallInitials = new Set(
		[...lex.byInitial.entries()].filter(([, list]) => list.length < 50).map(([i]) => i)
	);
	const out = new Set<string>();
	for (const w of dictionary) {
		if (out.has(w) || w.length > 24 || !correctable(w) || known(lex, w)) continue;
		const max = allowance(w);
		const anyInitial = smallInitials.has(w[0] ?? '');
		const near = (c: string) =>
			c !== w &&
			(anyInitial || c[0] === w[0]) &&
			Math.abs(c.length - w.length) <= max &&
			distance(w, c, max) <= max;
		if (someDeletion(w, max, (d) => index.get(d)?.some(near) ?? false)) out.add(w);
	}
	return [...out].sort();
}

/**
 * Whether `found` holds for the word or for any string made from it by deleting up to `k` (at
 * most 2) letters. The strings are made one at a time and the search stops at the first find:
 * the 275,000 words of the dictionary make about 13 million of them, and collecting each word's
 * in a set took half of the build's vocabulary step. Deleting either of two equal neighbours
 * gives the same string, so only the first is tried.
 */
function someDeletion(word: string, k: number, found: (d: string) => boolean): boolean {
	if (found(word)) return true;
	for (let i = 0; i < word.length; i++) {
		if (i > 0 && word[i] === word[i - 1]) continue;
		const once = word.slice(0, i) + word.slice(i + 1);
		if (found(once)) return true;
		if (k < 2) continue;
		for (let j = i; j < once.length; j++) {
			if (j > i && once[j] === once[j - 1]) continue;
			if (found(once.slice(0, j) + once.slice(j + 1))) return true;
		}
	}
	return false;
}

/** `mTLS (mutual TLS)` names an acronym and its expansion when the initials spell it. */
function expands(short: string, long: string): boolean {
	const initials = long
		.split(/[\s-]+/)
		.map((w) => (/^[A-Z0-9]+$/.test(w) ? w : (w.match(/[A-Z]/g)?.join('') ?? w[0] ?? '')))
		.join('')
		.toLowerCase();
	return initials === short.toLowerCase() && short.length > 1;
}

/**
 * Terms that mean the same here, from the site's own data: each glossary entry's spellings and
 * the acronym it expands ("mTLS (mutual TLS)", "CRD (CustomResourceDefinition)"), and the name
 * of every HTTP status code the site quotes ("503" and "service unavailable").
 */
export function synonymGroups(
	glossary: { term: string; match: string[] }[],
	siteWords: Set<string>
): string[][] {
	const groups: string[][] = [];
	for (const entry of glossary) {
		const spellings = entry.match.map((m) => m.toLowerCase());
		const base = spellings[0] ?? '';
		// Spellings of one thing (a plural, an acronym's expansion), not a list of related terms
		// such as "L4" and "L7".
		const group = new Set(spellings.filter((s) => s === base || s === `${base}s`));
		const m = entry.term.match(/^(.+?)\s*\((.+)\)$/);
		if (m?.[1] && m[2] && expands(m[1], m[2])) {
			group.add(m[1].toLowerCase());
			group.add(m[2].toLowerCase());
			for (const s of spellings) group.add(s);
		}
		if (group.size > 1) groups.push([...group]);
	}
	// Error status codes only: "200" and "ok" are not what a reader searching "200" means.
	for (const [code, name] of Object.entries(STATUS_CODES))
		if (name && /^[45]\d\d$/.test(code) && siteWords.has(code))
			groups.push([code, name.toLowerCase().replace(/-/g, ' ')]);
	return groups;
}

const parsedCrds = new Map<string, { kind: string; shortNames: string[] }[]>();
/**
 * The kind and short names of each CustomResourceDefinition in a YAML file. Short names and mesh
 * words read the same vendored files, so each is parsed once (a second parse was a second of build).
 */
function crdNames(text: string): { kind: string; shortNames: string[] }[] {
	let names = parsedCrds.get(text);
	if (!names) {
		names = [];
		for (const doc of parseAllDocuments(text)) {
			const crd = doc.toJS() as {
				kind?: string;
				spec?: { names?: { kind?: string; shortNames?: string[] } };
			} | null;
			const kind = crd?.kind === 'CustomResourceDefinition' && crd.spec?.names?.kind;
			if (kind) names.push({ kind, shortNames: crd.spec?.names?.shortNames ?? [] });
		}
		parsedCrds.set(text, names);
	}
	return names;
}

/**
 * kubectl's short names of the resource kinds the site names (`vs` for VirtualService, `dr` for
 * DestinationRule), from the CustomResourceDefinitions vendored under vendor/upstream/crds.
 * Stop words ("we") and kinds the site never names are left out.
 */
export function shortNames(crds: string[], siteWords: Set<string>): [string, string][] {
	const out: [string, string][] = [];
	for (const text of crds)
		for (const names of crdNames(text)) {
			const kind = names.kind.toLowerCase();
			if (!siteWords.has(kind)) continue;
			for (const short of names.shortNames) {
				const s = short.toLowerCase();
				if (s !== kind && !stopWords.has(s) && !out.some(([a, b]) => a === s && b === kind))
					out.push([s, kind]);
			}
		}
	return out;
}

/**
 * The words that name each mesh in a query without its name: the words meshes.yaml lists for it
 * (its proxy, its components) and its own resource kinds, from the CRDs vendored for it
 * (`crds[mesh id]`). A kind is left out when another folder defines it too (Linkerd's and the
 * Gateway API's HTTPRoute, both meshes' AuthorizationPolicy), when it is an English word (Istio's
 * Gateway and Sidecar: Linkerd has sidecars and gateways), or when the site never names it.
 */
export function meshWords(
	meshes: { id: string; alsoNamedBy?: string[] | undefined }[],
	crds: Record<string, string[]>,
	english: Set<string>,
	siteWords: Set<string>
): Record<string, string[]> {
	const kinds = new Map<string, Set<string>>();
	for (const [folder, texts] of Object.entries(crds))
		for (const text of texts)
			for (const { kind } of crdNames(text))
				kinds.set(kind.toLowerCase(), (kinds.get(kind.toLowerCase()) ?? new Set()).add(folder));
	return Object.fromEntries(
		meshes.map((m) => {
			const own = [...kinds]
				.filter(([, folders]) => folders.size === 1 && folders.has(m.id))
				.map(([k]) => k)
				.filter((k) => !english.has(k) && siteWords.has(k));
			return [m.id, [...new Set([...(m.alsoNamedBy ?? []), ...own])].sort()];
		})
	);
}

/** The CRD files vendored under `dir` (recursively). */
export function readCrds(dir: string): string[] {
	return readdirSync(dir, { recursive: true, withFileTypes: true })
		.filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
		.map((e) => readFileSync(join(e.parentPath, e.name), 'utf8'));
}

/**
 * What the vocabulary reads from a built page, in one walk: the indexed body (the first
 * `[data-pagefind-body]`), its first `h1`, every `[data-asked]` element and the `.seen code` of
 * the body. Four selector queries walked every page four times: two fifths of the build's time
 * for the vocabulary.
 */
export function pageParts(tree: Root): {
	body?: Element;
	h1?: Element;
	asked: Element[];
	seenCode: Element[];
} {
	const parts: ReturnType<typeof pageParts> = { asked: [], seenCode: [] };
	const visit = (node: Root | Element, inBody: boolean, inSeen: boolean) => {
		for (const child of node.children) {
			if (child.type !== 'element') continue;
			let body = inBody;
			if (!parts.body && child.properties['dataPagefindBody'] !== undefined) {
				parts.body = child;
				body = true;
			} else if (body && !parts.h1 && child.tagName === 'h1') parts.h1 = child;
			if (child.properties['dataAsked'] !== undefined) parts.asked.push(child);
			if (body && inSeen && child.tagName === 'code') parts.seenCode.push(child);
			const cls = child.properties['className'];
			visit(child, body, inSeen || (Array.isArray(cls) && cls.includes('seen')));
		}
	};
	visit(tree, false, false);
	return parts;
}

/** Reads every built page's indexed text; `glossary` and `dictionary` come from the sources. */
export function buildVocabulary(
	distDir: string,
	base: string,
	glossary: { term: string; match: string[] }[] = [],
	dictionary: string[] = [],
	crds: string[] = [],
	/** The meshes with the CRDs vendored for each, and English words (see meshWords). */
	meshes: {
		list: { id: string; alsoNamedBy?: string[] | undefined }[];
		crds: Record<string, string[]>;
		english: Set<string>;
	} = {
		list: [],
		crds: {},
		english: new Set(),
	}
): Vocabulary {
	const df = new Map<string, number>();
	const errors: Vocabulary['errors'] = [];
	const titles: Vocabulary['titles'] = {};
	let pages = 0;
	for (const file of listPages(distDir)) {
		const tree = fromHtml(readFileSync(join(distDir, file), 'utf8'));
		const { body, h1, asked: askedIn, seenCode } = pageParts(tree);
		if (!body) continue;
		pages++;
		const url = urlOfFile(file, base);
		if (h1) titles[url] = textOf(h1, undefined, ' ').replace(/\s+/g, ' ').trim();
		const seen = new Set(tokenize(textOf(body, ignoredIn(tree), ' ')));
		for (const el of askedIn) {
			const asked = String(el.properties['dataAsked'] ?? '').split(' · ');
			for (const text of asked.filter(Boolean)) {
				errors.push({ text, url });
				for (const w of tokenize(text)) seen.add(w);
			}
		}
		for (const w of seen) if (w.length > 1 && w.length <= 40) df.set(w, (df.get(w) ?? 0) + 1);
		for (const code of seenCode) errors.push({ text: textOf(code, undefined, ' '), url });
	}
	const sorted = [...df.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
	const words = sorted.map(([w]) => w);
	const counts = sorted.map(([, n]) => n);
	return {
		words,
		df: counts,
		pages,
		errors,
		titles,
		dictionary: frontCode(keepList({ words, df: counts }, dictionary)),
		synonyms: synonymGroups(glossary, new Set(words)),
		abbreviations: shortNames(crds, new Set(words)),
		ids: pageIds(distDir, base),
		meshWords: meshWords(meshes.list, meshes.crds, meshes.english, new Set(words)),
	};
}

/**
 * Each indexed page's Pagefind id (the hash its fragment is named by) by URL, read from the index
 * Pagefind wrote: search matches a query against the ways a page is asked before it reads any
 * page, and must know which result is that page whatever has loaded so far.
 */
export function pageIds(distDir: string, base: string): Record<string, string> {
	const dir = join(distDir, 'pagefind', 'fragment');
	const out: Record<string, string> = {};
	if (!existsSync(dir)) return out;
	const add = (id: string, f: { url?: unknown }) => {
		if (typeof f.url === 'string') out[base + f.url.replace(/^\//, '')] = id;
	};
	for (const file of readdirSync(dir)
		.filter((f) => f.endsWith('.pf_fragment'))
		.sort()) {
		const text = gunzipSync(readFileSync(join(dir, file))).toString('utf8');
		const json = JSON.parse(text.slice(text.indexOf('{'))) as Record<string, unknown>;
		const id = file.replace(/\.pf_fragment$/, '');
		// A fragment group holds several pages' fragments by id.
		if (typeof json['url'] === 'string') add(id, json);
		else
			for (const [inner, f] of Object.entries(json))
				if (f && typeof f === 'object') add(inner, f as { url?: unknown });
	}
	return out;
}
