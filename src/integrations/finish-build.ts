import type { AstroIntegration } from 'astro';
import { fileURLToPath } from 'node:url';
import * as pagefind from 'pagefind';
import { writeFileSync } from 'node:fs';
import { writeServiceWorker } from '../offline/service-worker.ts';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { buildVocabulary, readDictionary } from '../components/search/vocabulary.ts';
import { excludeSelectors } from '../components/search/index-exclusions.ts';
import { loadGlossary } from '../lib/content-files.ts';
import wordList from 'word-list';

/** Real words search never "corrects": English (word-list) and Kubernetes terms (cspell's k8s list). */
const dictionaryFiles = [
	wordList,
	join(dirname(createRequire(import.meta.url).resolve('@cspell/dict-k8s')), 'dict/k8s.txt'),
];

/**
 * Finishes `astro build`: indexes the site with Pagefind (only `data-pagefind-body` elements),
 * then writes the service worker that makes the whole site, index included, work offline.
 */
export function finishBuild(base: string): AstroIntegration {
	return {
		name: 'kb:search-and-offline',
		hooks: {
			'astro:build:done': async ({ dir, logger }) => {
				const site = fileURLToPath(dir);
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
				logger.info(`indexed ${added.page_count} pages into ${site}pagefind`);
				await pagefind.close();
				const vocabulary = buildVocabulary(
					site,
					base,
					loadGlossary(),
					readDictionary(dictionaryFiles)
				);
				writeFileSync(`${site}search-vocabulary.json`, JSON.stringify(vocabulary));
				logger.info(
					`search vocabulary: ${vocabulary.words.length} words, ${vocabulary.errors.length} error and asked texts, ${vocabulary.dictionary.length} dictionary words kept from correction, ${vocabulary.synonyms.length} synonym groups`
				);
				// Last, once every file exists, so the offline copy includes the search index.
				const sw = writeServiceWorker(site, base);
				logger.info(`service worker ${sw.version} precaches ${sw.count} files`);
			},
		},
	};
}
