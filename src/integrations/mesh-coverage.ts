import type { AstroIntegration } from 'astro';
import { loadComparison, loadDecisionTree, loadMeshes } from '../lib/content-files.ts';
import { meshCoverage } from '../lib/mesh-coverage.ts';
import { siteConfig } from '../site.config.ts';

/** Names, at the start of every build, each data file that must say more about a mesh. */
export function meshCoverageReport(): AstroIntegration {
	return {
		name: 'kb:mesh-coverage',
		hooks: {
			'astro:build:start': ({ logger }) => {
				const meshes = loadMeshes();
				const ids = meshes.map((m) => m.id);
				for (const note of meshCoverage({
					meshes,
					comparison: loadComparison(undefined, ids),
					tree: loadDecisionTree(undefined, ids),
					versioned: Object.keys(siteConfig.versions),
				}))
					logger.warn(note);
			},
		},
	};
}
