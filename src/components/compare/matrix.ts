import type { Comparison, MeshCell } from '../../schemas/comparison.ts';
import { listAnd } from '../../lib/format.ts';

export interface MatrixMesh {
	id: string;
	name: string;
}

/** A cell as the table shows it: the data's cell with its footnote number, or nothing yet. */
export type MatrixCell = (MeshCell & { ref: number }) | undefined;

/** What the comparison table shows, a column per mesh in the order of meshes.yaml. */
export function matrixModel(comparison: Comparison, meshes: readonly MatrixMesh[]) {
	const sources: string[] = [];
	const footnote = (url: string) => {
		const i = sources.indexOf(url);
		if (i >= 0) return i + 1;
		sources.push(url);
		return sources.length;
	};
	const groups = comparison.categories.map((c) => ({
		...c,
		rows: comparison.rows
			.filter((r) => r.category === c.id)
			.map((r) => {
				const cells: MatrixCell[] = meshes.map((m) => {
					const cell = r.cells[m.id];
					return cell && { ...cell, ref: footnote(cell.source) };
				});
				const values = new Set(cells.map((c) => c?.value));
				return {
					id: r.id,
					feature: r.feature,
					neither: r.neither,
					cells,
					// Only a row every mesh answers alike is "the same"; a missing cell is a difference.
					same: values.size === 1 && !values.has(undefined),
				};
			}),
	}));
	const versionOf = (id: string) => comparison.rows.find((r) => r.cells[id])?.cells[id]?.version;
	const named = meshes.map((m) => {
		const v = versionOf(m.id);
		return v ? `${m.name} ${v}` : `${m.name} (not compared yet)`;
	});
	const caption = `${listAnd(named)}, feature by feature. Numbers in brackets link to each cell's source.`;
	return { columns: meshes, groups, sources, caption };
}
