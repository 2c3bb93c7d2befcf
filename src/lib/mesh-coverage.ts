import { missingCells, type Comparison } from '../schemas/comparison.ts';
import type { DecisionTree } from '../schemas/decision-tree.ts';
import type { Mesh } from '../schemas/mesh.ts';
import { contentRoot } from '../site.config.ts';

interface Sources {
	meshes: readonly Mesh[];
	comparison: Comparison;
	tree: DecisionTree;
	/** Meshes that site.config.ts has verified versions for. */
	versioned: readonly string[];
}

const list = (ids: string[]) =>
	ids.length > 4 ? `${ids.slice(0, 4).join(', ')} and ${ids.length - 4} more` : ids.join(', ');

/**
 * What the data files still have to say about each mesh: a mesh is a column, a filter and a tab
 * as soon as meshes.yaml lists it, and the build names every file that should say more.
 */
export function meshCoverage({ meshes, comparison, tree, versioned }: Sources): string[] {
	const notes: string[] = [];
	for (const { mesh, rows } of missingCells(
		comparison,
		meshes.map((m) => m.id)
	))
		notes.push(
			`${contentRoot}/data/comparison.yaml: ${rows.length} of ${comparison.rows.length} rows have no "${mesh}" cell (${list(rows)}), so they say "not compared yet". Add ${mesh}: { value, source, version } to each.`
		);
	for (const m of meshes) {
		if (!tree.outcomes.some((o) => o.mesh === m.id))
			notes.push(
				`${contentRoot}/data/decision-tree.yaml: no outcome recommends "${m.id}". Add one with mesh: ${m.id} if the tree should lead to it.`
			);
		if (!versioned.includes(m.id))
			notes.push(
				`src/site.config.ts: versions has no "${m.id}" entry, so no page can say which ${m.name} release it was verified against.`
			);
		if (!m.colour)
			notes.push(
				`${contentRoot}/data/meshes.yaml: "${m.id}" has no colour, so its badges use the text colour.`
			);
	}
	return notes;
}
