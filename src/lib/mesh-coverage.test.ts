import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadComparison, loadDecisionTree, loadMeshes } from './content-files.ts';
import { meshCoverage } from './mesh-coverage.ts';
import { matrixModel } from '../components/compare/matrix.ts';
import { meshFilters } from '../components/search/filters.ts';
import { siteConfig } from '../site.config.ts';

/** content/data/meshes.yaml with one entry added, and nothing else changed. */
function meshesWithFixture() {
	const path = join(mkdtempSync(join(tmpdir(), 'meshes-')), 'meshes.yaml');
	writeFileSync(
		path,
		readFileSync('content/data/meshes.yaml', 'utf8') +
			[
				'- id: cilium',
				'  name: Cilium',
				'  homepage: https://cilium.io/',
				'  proxyLanguage: eBPF in the kernel, Envoy for L7',
				'  cncfGraduated: 2023-10-11',
				'  summary: A fixture mesh for the test that a new entry is enough.',
				'',
			].join('\n')
	);
	return loadMeshes(path);
}

const sources = (meshes: ReturnType<typeof loadMeshes>) => {
	const ids = meshes.map((m) => m.id);
	return {
		meshes,
		comparison: loadComparison('content/data/comparison.yaml', ids),
		tree: loadDecisionTree('content/data/decision-tree.yaml', ids),
		versioned: Object.keys(siteConfig.versions),
	};
};

describe('a mesh added to meshes.yaml alone', () => {
	const meshes = meshesWithFixture();
	const { comparison, ...rest } = sources(meshes);
	const columns = meshes.map((m) => ({ id: m.id, name: m.name }));

	it('becomes a comparison column whose cells say "not compared yet"', () => {
		const model = matrixModel(comparison, columns);
		expect(model.columns.map((c) => c.name)).toEqual(['Istio', 'Linkerd', 'Cilium']);
		const rows = model.groups.flatMap((g) => g.rows);
		expect(rows.length).toBe(comparison.rows.length);
		expect(rows.every((r) => r.cells.length === 3 && r.cells[2] === undefined)).toBe(true);
		// Istio and Linkerd keep their cells, and a row with a missing mesh is never "the same".
		expect(rows.every((r) => r.cells[0] && r.cells[1] && !r.same)).toBe(true);
		expect(model.caption).toMatch(/^Istio 1\.\d+, Linkerd 2\.\d+ and Cilium \(not compared yet\)/);
	});

	it('becomes a search filter, and "Both" becomes "All"', () => {
		expect(meshFilters(columns).map((f) => f.label)).toEqual([
			'Istio',
			'Linkerd',
			'Cilium',
			'All',
			'Neither',
		]);
	});

	it('makes the build name each data file that must say more about it', () => {
		const notes = meshCoverage({ comparison, ...rest });
		expect(notes).toEqual([
			expect.stringMatching(
				new RegExp(
					`^content/data/comparison\\.yaml: ${comparison.rows.length} of ${comparison.rows.length} rows have no "cilium" cell \\(mtls, `
				)
			),
			'content/data/decision-tree.yaml: no outcome recommends "cilium". Add one with mesh: cilium if the tree should lead to it.',
			'src/site.config.ts: versions has no "cilium" entry, so no page can say which Cilium release it was verified against.',
			'content/data/meshes.yaml: "cilium" has no colour, so its badges use the text colour.',
		]);
	});
});

describe('the real data', () => {
	it('says everything about every mesh it lists: the build names nothing', () => {
		expect(meshCoverage(sources(loadMeshes()))).toEqual([]);
	});

	it('rejects a comparison cell under a key that is not a mesh, naming the row', () => {
		const path = join(mkdtempSync(join(tmpdir(), 'cmp-')), 'comparison.yaml');
		writeFileSync(
			path,
			readFileSync('content/data/comparison.yaml', 'utf8').replace(/^(\s+)linkerd:/m, '$1linkrd:')
		);
		expect(() => loadComparison(path, ['istio', 'linkerd'])).toThrow(
			/rows\.0 \(row "mtls"\): "linkrd" is not a mesh id in content\/data\/meshes\.yaml \(istio, linkerd\)/
		);
	});
});
