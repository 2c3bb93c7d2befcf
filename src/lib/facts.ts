/** The facts registry: loading `content/facts/*.yaml` and proving each quote in its vendored file. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { factSchema, type Evidence, type Fact } from '../schemas/fact.ts';
import { invalid } from './schema-error.ts';
import { contentRoot } from '../site.config.ts';

export const vendorRoot = 'vendor/upstream/files';

/** A fact with the file and line it is written at, for error messages. */
export interface LoadedFact extends Fact {
	file: string;
	line: number;
}

/** Reads every facts file; a schema error or a duplicate id names the file, the line and the field. */
export function loadFacts(dir = `${contentRoot}/facts`): LoadedFact[] {
	if (!existsSync(dir)) return [];
	const facts: LoadedFact[] = [];
	const seen = new Map<string, string>();
	for (const name of readdirSync(dir)
		.filter((f) => f.endsWith('.yaml'))
		.sort()) {
		const file = join(dir, name);
		const text = readFileSync(file, 'utf8');
		const doc = parseDocument(text);
		if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0]?.message}`);
		const items = doc.contents && 'items' in doc.contents ? doc.contents.items : [];
		const data: unknown = doc.toJS() ?? [];
		if (!Array.isArray(data)) throw new Error(`${file}: must be a YAML list of facts`);
		data.forEach((raw, i) => {
			const node = items[i] as { range?: [number, number] } | undefined;
			const line = node?.range ? text.slice(0, node.range[0]).split('\n').length : 1;
			const result = factSchema.safeParse(raw);
			if (!result.success) throw invalid(`${file}:${line}:`, result.error, 'fact is invalid');
			// A former id kept as an alias is still an anchor on the facts page, so it shares the id space.
			for (const id of [result.data.id, ...(result.data.aliases ?? [])]) {
				const first = seen.get(id);
				if (first)
					throw new Error(
						`${file}:${line}: fact id or alias "${id}" is already used at ${first}; ids must be unique`
					);
				seen.set(id, `${file}:${line}`);
			}
			facts.push({ ...result.data, file, line });
		});
	}
	return facts;
}

/** Where an evidence file is vendored. */
export function vendoredPath(
	e: Pick<Evidence, 'repo' | 'ref' | 'path'>,
	root = vendorRoot
): string {
	return join(root, e.repo, e.ref, e.path);
}

const squash = (s: string) => s.replace(/\s+/g, ' ').trim();

/** Where a quote stands in a file: the first and last line, or the closest line when it is not there. */
export type QuoteMatch =
	| { found: true; line: number; endLine: number }
	| { found: false; closest: { line: number; text: string } | undefined };

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Finds a quote in a file's text with whitespace normalised (indentation and line breaks may
 * differ from the YAML). When it is missing, names the line that shares most words with it.
 */
export function locateQuote(text: string, quote: string): QuoteMatch {
	const words = squash(quote).split(' ').filter(Boolean);
	// One native regex search over the raw file: the quote's words with any whitespace between.
	const m = words.length ? new RegExp(words.map(escape).join('\\s+')).exec(text) : null;
	if (m) {
		const lineAt = (offset: number) => text.slice(0, offset).split('\n').length;
		return { found: true, line: lineAt(m.index), endLine: lineAt(m.index + m[0].length - 1) };
	}
	const wanted = new Set(words.join(' ').toLowerCase().split(/\W+/).filter(Boolean));
	let best: { line: number; text: string; score: number } | undefined;
	text.split('\n').forEach((l, i) => {
		const score = l
			.toLowerCase()
			.split(/\W+/)
			.filter((w) => wanted.has(w)).length;
		if (score > 0 && (!best || score > best.score)) best = { line: i + 1, text: l.trim(), score };
	});
	return { found: false, closest: best && { line: best.line, text: best.text } };
}

/** The upstream URL of a quote, at its tag, with its line range. */
export function evidenceUrl(e: Evidence, match: { line: number; endLine: number }): string {
	const lines = match.endLine > match.line ? `L${match.line}-L${match.endLine}` : `L${match.line}`;
	return `https://github.com/${e.repo}/blob/${e.ref}/${e.path}#${lines}`;
}

/** A checked piece of evidence, ready to link. */
export interface ProvenEvidence extends Evidence {
	url: string;
	line: number;
}

/**
 * Checks every quote against its vendored file: the evidence that verifies, and one message per
 * failure with the fact, its file and line, the vendored file and the closest line.
 */
export function checkFacts(
	facts: LoadedFact[],
	root = vendorRoot
): { proven: Map<string, ProvenEvidence[]>; problems: string[] } {
	const proven = new Map<string, ProvenEvidence[]>();
	const problems: string[] = [];
	const cache = new Map<string, string | undefined>();
	for (const f of facts) {
		const list: ProvenEvidence[] = [];
		for (const e of f.evidence) {
			const path = vendoredPath(e, root);
			if (!cache.has(path))
				cache.set(path, existsSync(path) ? readFileSync(path, 'utf8') : undefined);
			const text = cache.get(path);
			if (text === undefined) {
				problems.push(
					`${f.file}:${f.line}: fact "${f.id}" quotes ${path}, which is not vendored. Copy it from the upstream snapshot (git show ${e.ref}:${e.path}, or npm run facts -- --vendor) and add its PROVENANCE.yaml.`
				);
				continue;
			}
			const m = locateQuote(text, e.quote);
			if (!m.found) {
				const near = m.closest ? ` Closest line ${m.closest.line}: ${m.closest.text}` : '';
				problems.push(
					`${f.file}:${f.line}: fact "${f.id}": quote not found in ${path}: "${squash(e.quote)}".${near}`
				);
				continue;
			}
			list.push({ ...e, url: evidenceUrl(e, m), line: m.line });
		}
		proven.set(f.id, list);
	}
	return { proven, problems };
}

/** Proves every quote; the error lists every failure at once, so one build shows all. */
export function proveFacts(facts: LoadedFact[], root = vendorRoot): Map<string, ProvenEvidence[]> {
	const { proven, problems } = checkFacts(facts, root);
	if (problems.length)
		throw new Error(`${problems.length} fact quote(s) do not verify:\n${problems.join('\n')}`);
	return proven;
}

const registries = new Map<
	string,
	{ facts: LoadedFact[]; proven: Map<string, ProvenEvidence[]> }
>();

/**
 * The registry of a facts folder, loaded and proven once per process: the pages, the footers and
 * the Markdown twins all read it during one build.
 */
export function factRegistry(dir = `${contentRoot}/facts`, root = vendorRoot) {
	const key = `${resolve(dir)}\0${resolve(root)}`;
	let registry = registries.get(key);
	if (!registry) {
		const facts = loadFacts(dir);
		registry = { facts, proven: proveFacts(facts, root) };
		registries.set(key, registry);
	}
	return registry;
}
