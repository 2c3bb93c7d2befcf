import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { listFiles, urlOfFile } from '../lib/dist-files.ts';

/** One file the worker may save: its URL, the hash and size of its bytes, and when it is saved. */
export interface OfflineFile {
	url: string;
	/** The first 16 hex digits of the SHA-256 of the file's bytes: what the worker checks. */
	hash: string;
	size: number;
	/** Saved on the first visit (shell, search, FAQ); the rest only with "Save the whole guide". */
	core: boolean;
	/** The URL of the one page that loads this file on demand: it is saved with that page. */
	page?: string;
}

/**
 * Code that one page alone loads on demand: saved when that page is, rather than on every first
 * visit. The config doctor's bundle (YAML parser, schemas, rules) serves only /doctor/.
 */
export const pageCode: { page: string; file: RegExp }[] = [
	{ page: 'doctor/index.html', file: /^_astro\/doctor-check-[\w-]+\.js$/ },
];

/**
 * Pagefind writes its own ready-made UI (the site has its own search UI) and a WebAssembly file
 * for every language; none of them is ever requested, so none is saved or listed.
 */
export function isUnusedPagefindFile(file: string, languages: string[]): boolean {
	if (/^pagefind\/pagefind-(component-|modular-)?ui\.(js|css)$/.test(file)) return true;
	if (file === 'pagefind/pagefind-highlight.js') return true;
	const wasm = /^pagefind\/wasm\.(.+)\.pagefind$/.exec(file);
	return !!wasm && !languages.includes(wasm[1] ?? '');
}

/**
 * What a first visit saves, so that the shell, search and the FAQ work offline at once: the
 * hashed CSS and JavaScript, the home, search, FAQ and 404 pages, the favicon, the search index
 * and the vocabulary. Pages are saved as the reader opens them.
 */
export function isCore(file: string): boolean {
	return (
		(file.startsWith('_astro/') && !pageCode.some((p) => p.file.test(file))) ||
		file.startsWith('pagefind/') ||
		[
			'index.html',
			'404.html',
			'favicon.svg',
			'search/index.html',
			'faq/index.html',
			'search-vocabulary.json',
		].includes(file)
	);
}

const hashOf = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex').slice(0, 16);

/** Every file of a built site the worker lists, except the worker itself and unused Pagefind files. */
export function offlineFiles(distDir: string, base: string): OfflineFile[] {
	const files = listFiles(distDir).filter((f) => f !== 'sw.js');
	const entry = files.includes('pagefind/pagefind-entry.json')
		? (JSON.parse(readFileSync(join(distDir, 'pagefind/pagefind-entry.json'), 'utf8')) as {
				languages: Record<string, { wasm?: string }>;
			})
		: { languages: {} };
	const languages = Object.values(entry.languages).map((l) => l.wasm ?? '');
	return files
		.filter((f) => !isUnusedPagefindFile(f, languages))
		.map((f) => {
			const bytes = readFileSync(join(distDir, f));
			const page = pageCode.find((p) => p.file.test(f))?.page;
			return {
				url: urlOfFile(f, base),
				hash: hashOf(bytes),
				size: bytes.length,
				core: isCore(f),
				...(page ? { page: urlOfFile(page, base) } : {}),
			};
		});
}

/** One hash over every listed URL and its hash: any change to the site gives a new version. */
export function buildVersion(files: OfflineFile[]): string {
	const h = createHash('sha256');
	for (const f of files) h.update(`${f.url}\n${f.hash}\n`);
	return h.digest('hex').slice(0, 16);
}

const read = (name: string) => readFileSync(new URL(name, import.meta.url), 'utf8');

/** The status line's wording (status-text.ts) as plain functions for the worker's scope. */
function statusWording(): string {
	const { outputText } = ts.transpileModule(read('./status-text.ts'), {
		compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
	});
	return outputText.replace(/^export /gm, '');
}

/** The worker's source: the build's list of files, the status wording, then the runtime. */
export function serviceWorkerSource(version: string, base: string, files: OfflineFile[]): string {
	const rows = files.map((f) => [
		f.url,
		f.hash,
		f.size,
		f.core ? 1 : 0,
		...(f.page ? [f.page] : []),
	]);
	return `// Generated at build time by src/offline/service-worker.ts. Do not edit.
const VERSION = ${JSON.stringify(version)};
const BASE = ${JSON.stringify(base)};
// [url, first 16 hex digits of the SHA-256 of its bytes, size in bytes, 1 when saved on the first visit,
//  and for code one page alone loads, that page's URL: the file is saved with it]
const FILES = ${JSON.stringify(rows)};
${statusWording()}
${read('./worker-runtime.js')}`;
}

export interface OfflineSummary {
	version: string;
	count: number;
	bytes: number;
	coreCount: number;
	coreBytes: number;
}

/** Writes `sw.js` into a built site and says what a first visit and the whole guide cost. */
export function writeServiceWorker(distDir: string, base: string): OfflineSummary {
	const files = offlineFiles(distDir, base);
	const version = buildVersion(files);
	writeFileSync(join(distDir, 'sw.js'), serviceWorkerSource(version, base, files));
	const core = files.filter((f) => f.core);
	const sum = (list: OfflineFile[]) => list.reduce((n, f) => n + f.size, 0);
	return {
		version,
		count: files.length,
		bytes: sum(files),
		coreCount: core.length,
		coreBytes: sum(core),
	};
}
