import { z } from 'astro/zod';
import { factIdsSchema } from './fact.ts';

/** A mesh's entry in one row: what it offers, where that is documented, and for which version. */
const meshCellSchema = z.object(
	{
		/** Short answer shown in the cell. */
		value: z.string().min(1),
		/** One sentence of detail, shown under the value. */
		note: z.string().min(1).optional(),
		/** Upstream document the value rests on. */
		source: z.url({
			protocol: /^https$/,
			error: 'every mesh cell needs a source: an https:// URL',
		}),
		/** Release the value holds for. */
		version: z
			.string({ error: 'every mesh cell needs the version it holds for' })
			.regex(/^\d+\.\d+$/, 'version is a minor release like 1.31 or 2.20'),
		/** Facts (content/facts) that back the value and note; shown as evidence links in the cell. */
		facts: factIdsSchema,
	},
	{ error: 'every mesh needs a cell in every row: { value, source, version }' }
);

/** What plain Kubernetes plus common tools give, where that helps the comparison. */
const neitherCellSchema = z.object({ value: z.string().min(1), note: z.string().optional() });

/** A mesh's cell in one row. */
export type MeshCell = z.infer<typeof meshCellSchema>;

/**
 * The matrix for the meshes in `content/data/meshes.yaml`: each row may carry a cell per mesh id,
 * under that id. A mesh without a cell in a row shows "not compared yet"; the build names those
 * rows (see `missingCells`), so a new mesh is a column the moment it is listed.
 */
export const comparisonSchema = (meshIds: readonly string[]) =>
	z
		.object({
			/** Table sections, in display order. */
			categories: z
				.array(z.object({ id: z.string().regex(/^[a-z-]+$/), label: z.string().min(1) }))
				.min(1),
			rows: z
				.array(
					z
						.object(
							{
								/** Stable row anchor (`/decide/compare/#row-<id>`). Never change it. */
								id: z.string().regex(/^[a-z0-9-]+$/),
								/** Category id. */
								category: z.string(),
								/** Feature name, the row header. */
								feature: z.string().min(1),
								...Object.fromEntries(meshIds.map((id) => [id, meshCellSchema.optional()])),
								neither: neitherCellSchema.optional(),
							},
							{
								error: (i) =>
									i.code === 'unrecognized_keys'
										? `"${i.keys.join('", "')}" is not a mesh id in content/data/meshes.yaml (${meshIds.join(', ')}): fix the key or add the mesh there`
										: undefined,
							}
						)
						.strict()
						.transform(({ id, category, feature, neither, ...rest }) => ({
							id,
							category,
							feature,
							neither: neither as z.infer<typeof neitherCellSchema> | undefined,
							cells: rest as Partial<Record<string, MeshCell>>,
						}))
				)
				.min(1),
		})
		.superRefine((data, ctx) => {
			const cats = new Set(data.categories.map((c) => c.id));
			const ids = new Set<string>();
			data.rows.forEach((row, i) => {
				if (!cats.has(row.category)) {
					ctx.addIssue({
						code: 'custom',
						path: ['rows', i, 'category'],
						message: `row "${row.id}": unknown category "${row.category}"`,
					});
				}
				if (ids.has(row.id))
					ctx.addIssue({
						code: 'custom',
						path: ['rows', i, 'id'],
						message: `row id "${row.id}" is used twice`,
					});
				ids.add(row.id);
			});
		});

export type Comparison = z.infer<ReturnType<typeof comparisonSchema>>;
export type ComparisonRow = Comparison['rows'][number];

/** Rows that have no cell for a mesh, per mesh: what the data must still say about it. */
export function missingCells(comparison: Comparison, meshIds: readonly string[]) {
	return meshIds
		.map((mesh) => ({ mesh, rows: comparison.rows.filter((r) => !r.cells[mesh]).map((r) => r.id) }))
		.filter((m) => m.rows.length > 0);
}
