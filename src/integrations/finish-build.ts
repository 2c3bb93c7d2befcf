import type { AstroIntegration } from 'astro';
import { fileURLToPath } from 'node:url';
import * as pagefind from 'pagefind';
import { readdirSync, writeFileSync } from 'node:fs';
import { writeServiceWorker } from '../offline/service-worker.ts';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { buildVocabulary, readCrds, readDictionary } from '../components/search/vocabulary.ts';
import { excludeSelectors } from '../components/search/index-exclusions.ts';
import { loadGlossary, loadMeshes } from '../lib/content-files.ts';
import wordList from 'word-list';

/** Real words search never "corrects": English (word-list) and Kubernetes terms (cspell's k8s list). */
const k8sWords = join(
	dirname(createRequire(import.meta.url).resolve('@cspell/dict-k8s')),
	'dict/k8s.txt'
);
const crdDir = 'vendor/upstream/crds';

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(2)} MB`;
const since = (t: number) => `${((performance.now() - t) / 1000).toFixed(2)} s`;

/**
 * Finishes `astro build`: indexes the site with Pagefind (only `data-pagefind-body` elements),
 * writes the search vocabulary, then the service worker that saves the shell, search and the FAQ
 * on the first visit and the whole guide when the reader asks. Each step logs its time
 * (`npm run bench` reads them to check that the build stays linear in pages).
 */
export function finishBuild(base: string): AstroIntegration {
	return {
		name: 'kb:search-and-offline',
		hooks: {
			'astro:build:done': async ({ dir, logger }) => {
				await finishSite(fileURLToPath(dir), base, (m) => logger.info(m));
			},
		},
	};
}

/** The steps after Astro on a built site in `site` (a folder path ending in /). Tests reuse it. */
export async function finishSite(site: string, base: string, log: (message: string) => void) {
	let t = performance.now();
	const { index, errors } = await pagefind.createIndex({
		forceLanguage: 'en',
		excludeSelectors,
	});
	if (!index) throw new Error(`Pagefind could not start: ${errors.join('; ')}`);
	const added = await index.addDirectory({ path: site });
	if (added.errors.length > 0)
		throw new Error(`Pagefind indexing failed: ${added.errors.join('; ')}`);
	const written = await index.writeFiles({ outputPath: `${site}pagefind` });
	if (written.errors.length > 0)
		throw new Error(`Pagefind could not write its files: ${written.errors.join('; ')}`);
	await pagefind.close();
	log(`indexed ${added.page_count} pages into ${site}pagefind in ${since(t)}`);
	t = performance.now();
	const english = readDictionary([wordList]);
	// Each folder's CRDs, read once: every kind gives its short names, and a folder named after a
	// mesh gives the kinds that name that mesh.
	const crds = Object.fromEntries(
		readdirSync(crdDir, { withFileTypes: true })
			.filter((e) => e.isDirectory())
			.map((e) => [e.name, readCrds(join(crdDir, e.name))])
	);
	const vocabulary = buildVocabulary(
		site,
		base,
		loadGlossary(),
		[...english, ...readDictionary([k8sWords])],
		[...Object.values(crds).flat(), ...readCrds('vendor/upstream/names')],
		{ list: loadMeshes(), crds, english: new Set(english) }
	);
	writeFileSync(`${site}search-vocabulary.json`, JSON.stringify(vocabulary));
	log(
		`search vocabulary: ${vocabulary.words.length} words, ${vocabulary.errors.length} error and asked texts, ${vocabulary.dictionary.split(' ').length} dictionary words kept from correction, ${vocabulary.synonyms.length} synonym groups, ${vocabulary.abbreviations.length} short names, in ${since(t)}`
	);
	// Last, once every file exists, so that the worker lists the search index too.
	t = performance.now();
	const sw = writeServiceWorker(site, base);
	log(
		`service worker ${sw.version}: first visit saves ${sw.coreCount} files (${mb(sw.coreBytes)}), the whole guide ${sw.count} files (${mb(sw.bytes)}) in ${since(t)}`
	);
}
