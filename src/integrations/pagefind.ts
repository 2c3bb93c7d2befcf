import type { AstroIntegration } from 'astro';
import { fileURLToPath } from 'node:url';
import * as pagefind from 'pagefind';

/**
 * Indexes the finished site with Pagefind as the last step of `astro build`, so `npm run build`
 * always produces a searchable site. Only elements marked `data-pagefind-body` are indexed.
 */
export function pagefindIntegration(): AstroIntegration {
	return {
		name: 'kb:pagefind',
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
			},
		},
	};
}
