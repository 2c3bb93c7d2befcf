import type { Plugin } from 'vite';
import { loadMeshes } from '../lib/content-files.ts';
import type { Mesh } from '../schemas/mesh.ts';

/**
 * Each mesh's colour as `--kb-<id>`, and `--kb-mesh` on anything marked `data-mesh="<id>"`, so
 * badges, tabs and charts colour a mesh from meshes.yaml alone.
 */
export function meshColoursCss(meshes: readonly Mesh[]): string {
	const coloured = meshes.filter((m) => m.colour);
	const tokens = coloured.map(
		(m) => `--kb-${m.id}: light-dark(${m.colour?.light}, ${m.colour?.dark});`
	);
	const marks = coloured.map((m) => `[data-mesh='${m.id}'] { --kb-mesh: var(--kb-${m.id}); }`);
	return `@layer base {\n:root { ${tokens.join(' ')} }\n${marks.join('\n')}\n}\n`;
}

const id = 'virtual:kb/mesh-colours.css';

/** Serves meshColoursCss for the meshes in content/data/meshes.yaml. */
export function meshColoursPlugin(path?: string): Plugin {
	return {
		name: 'kb:mesh-colours',
		resolveId: (source) => (source === id ? `\0${id}` : undefined),
		load: (source) => (source === `\0${id}` ? meshColoursCss(loadMeshes(path)) : undefined),
	};
}
