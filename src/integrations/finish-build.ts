import type { AstroIntegration } from 'astro';
import { fileURLToPath } from 'node:url';
import * as pagefind from 'pagefind';
import { writeFileSync } from 'node:fs';
import { writeServiceWorker } from '../offline/service-worker.ts';
import { buildVocabulary } from '../components/search/vocabulary.ts';

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
				const vocabulary = buildVocabulary(site, base);
				writeFileSync(`${site}search-vocabulary.json`, JSON.stringify(vocabulary));
				logger.info(
					`search vocabulary: ${vocabulary.words.length} words, ${vocabulary.errors.length} error texts`
				);
				// Last, once every file exists, so the offline copy includes the search index.
				const sw = writeServiceWorker(site, base);
				logger.info(`service worker ${sw.version} precaches ${sw.count} files`);
			},
		},
	};
}
