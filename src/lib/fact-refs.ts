/**
 * Where pages, answers and data files refer to facts: `<Fact id="..." />` in MDX, `facts: [...]`
 * in YAML data and the calculator's `figureFacts`, each with its file and line, so an unknown id
 * fails the build at the place a writer must fix.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit } from 'yaml';

export interface FactRef {
	id: string;
	file: string;
	line: number;
}

/** Data components and the file whose `facts:` they show, so a page embedding one counts them. */
export const dataComponents: Record<string, string> = {
	ComparisonMatrix: 'data/comparison.yaml',
	DecisionTree: 'data/decision-tree.yaml',
	GlossaryList: 'data/glossary.yaml',
	OverheadCalculator: 'src/components/calculator/overhead.ts',
};

/** `<Fact id="..." />` references of an MDX text; code fences are skipped (they show markup). */
export function refsInMdx(text: string, file: string): FactRef[] {
	const refs: FactRef[] = [];
	let fence: string | undefined;
	text.split('\n').forEach((line, i) => {
		const open = line.match(/^\s*(`{3,}|~{3,})/);
		if (open) {
			if (!fence) fence = open[1];
			else if (line.trim().startsWith(fence)) fence = undefined;
			return;
		}
		if (fence) return;
		for (const m of line.matchAll(
			/<Fact\b[^>]*?\bid=(?:"([^"]*)"|'([^']*)'|\{['"]([^'"]*)['"]\})/g
		))
			refs.push({ id: m[1] ?? m[2] ?? m[3] ?? '', file, line: i + 1 });
	});
	return refs;
}

/** Every item of every `facts:` list in a YAML text, with its line. */
export function refsInYaml(text: string, file: string): FactRef[] {
	const counter = new LineCounter();
	const doc = parseDocument(text, { lineCounter: counter });
	const refs: FactRef[] = [];
	visit(doc, {
		Pair(_key, pair) {
			if (!isPair(pair) || !isScalar(pair.key) || pair.key.value !== 'facts') return;
			const list = pair.value;
			if (!isSeq(list)) {
				const at = isScalar(list) || isMap(list) ? (list.range?.[0] ?? 0) : 0;
				refs.push({ id: String(list), file, line: counter.linePos(at).line });
				return;
			}
			for (const item of list.items)
				refs.push({
					id: isScalar(item) ? String(item.value) : String(item),
					file,
					line: counter.linePos(isScalar(item) ? (item.range?.[0] ?? 0) : 0).line,
				});
		},
	});
	return refs;
}

/** The lines of a source file that hold each id of a map of ids (the calculator's `figureFacts`). */
export function refsInSource(
	text: string,
	file: string,
	lists: Record<string, readonly string[] | undefined>
): FactRef[] {
	const lines = text.split('\n');
	return Object.values(lists).flatMap((ids) =>
		(ids ?? []).map((id) => ({
			id,
			file,
			line: Math.max(1, lines.findIndex((l) => l.includes(`'${id}'`)) + 1),
		}))
	);
}

function mdxFiles(dir: string): string[] {
	if (!existsSync(dir)) return [];
	return readdirSync(dir).flatMap((name) => {
		const path = join(dir, name);
		if (statSync(path).isDirectory()) return mdxFiles(path);
		return name.endsWith('.mdx') ? [path] : [];
	});
}

/**
 * Every fact reference of a content tree: its pages and answers, its data files and the
 * calculator's figures (passed in, because the calculator's module is not content).
 */
export function collectFactRefs(
	contentRoot: string,
	figures?: { file: string; lists: Record<string, readonly string[] | undefined> }
): FactRef[] {
	const pages = contentPages(contentRoot);
	const data = ['comparison.yaml', 'decision-tree.yaml', 'glossary.yaml']
		.map((f) => join(contentRoot, 'data', f))
		.filter(existsSync);
	return [
		...pages.flatMap((f) => refsInMdx(readFileSync(f, 'utf8'), f)),
		...data.flatMap((f) => refsInYaml(readFileSync(f, 'utf8'), f)),
		...(figures && existsSync(figures.file)
			? refsInSource(readFileSync(figures.file, 'utf8'), figures.file, figures.lists)
			: []),
	];
}

/** Edit distance, to suggest the id a writer probably meant. */
function distance(a: string, b: string): number {
	const row = Array.from({ length: b.length + 1 }, (_, j) => j);
	for (let i = 1; i <= a.length; i++) {
		let prev = row[0] ?? 0;
		row[0] = i;
		for (let j = 1; j <= b.length; j++) {
			const keep = row[j] ?? 0;
			row[j] = Math.min(
				(row[j] ?? 0) + 1,
				(row[j - 1] ?? 0) + 1,
				prev + (a[i - 1] === b[j - 1] ? 0 : 1)
			);
			prev = keep;
		}
	}
	return row[b.length] ?? 0;
}

/** One message per reference to an id the registry does not have: file, line, id, closest id. */
export function unknownFactRefs(refs: FactRef[], ids: readonly string[]): string[] {
	const known = new Set(ids);
	return refs
		.filter((r) => !known.has(r.id))
		.map((r) => {
			const closest = ids.reduce<{ id: string; d: number } | undefined>((best, id) => {
				const d = distance(r.id, id);
				return !best || d < best.d ? { id, d } : best;
			}, undefined);
			const hint =
				closest && closest.d <= Math.max(3, r.id.length / 3)
					? ` (did you mean "${closest.id}"?)`
					: '';
			return `${r.file}:${r.line}: unknown fact id "${r.id}"${hint}. Add the fact to content/facts/*.yaml with its evidence, or fix the id.`;
		});
}

/**
 * The fact ids a page states, its own and those of the data components it embeds, in order of
 * first use. `file` is the page's MDX path as in the refs.
 */
export function factIdsOfFile(
	file: string,
	refs: FactRef[],
	contentRoot: string,
	source = existsSync(file) ? readFileSync(file, 'utf8') : ''
): string[] {
	const files = new Set([file]);
	for (const [component, data] of Object.entries(dataComponents))
		if (new RegExp(`<${component}\\b`).test(source))
			files.add(data.startsWith('src/') ? data : join(contentRoot, data));
	const norm = (f: string) => relative('.', f);
	const wanted = new Set([...files].map(norm));
	return [...new Set(refs.filter((r) => wanted.has(norm(r.file))).map((r) => r.id))];
}

/** Every MDX page and answer of a content tree. */
export function contentPages(contentRoot: string): string[] {
	return [...mdxFiles(join(contentRoot, 'docs')), ...mdxFiles(join(contentRoot, 'faq'))];
}

/** Fact id → the page and answer files that state it (directly or through a data component). */
export function pagesByFact(contentRoot: string, refs: FactRef[]): Map<string, string[]> {
	const out = new Map<string, string[]>();
	for (const page of contentPages(contentRoot))
		for (const id of factIdsOfFile(page, refs, contentRoot))
			out.set(id, [...(out.get(id) ?? []), page]);
	return out;
}
