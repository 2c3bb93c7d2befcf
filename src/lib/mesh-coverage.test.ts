import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadComparison, loadDecisionTree, loadMeshes } from './content-files.ts';
import { meshCoverage } from './mesh-coverage.ts';
import { matrixModel } from '../components/compare/matrix.ts';
import { meshFilters } from '../components/search/filters.ts';
import { meshTabPanels, openingMesh } from '../components/code/mesh-tabs.ts';
import { meshColoursCss } from '../components/mesh-colours.ts';
import { appliesTo } from './format.ts';
import { meshFilterFor } from './mesh-filter.ts';
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

	it('files a page or answer about all three under All, and one about two under each of the two', () => {
		const ids = meshes.map((m) => m.id);
		expect(meshFilterFor(ids, ids.length)).toEqual(['istio', 'linkerd', 'cilium', 'both']);
		expect(meshFilterFor(['istio', 'linkerd'], ids.length)).toEqual(['istio', 'linkerd']);
		expect(meshFilterFor([], ids.length)).toEqual(['neither']);
	});

	it('is named in the footer line of an answer about it, in a list of three', () => {
		expect(appliesTo(meshes.map((m) => m.name))).toBe('Applies to Istio, Linkerd and Cilium.');
		expect(appliesTo(['Cilium'])).toBe('Applies to Cilium.');
	});

	it('gets a badge and tab colour from its entry alone, once the entry names one', () => {
		const colour = { light: '#8a4b00', dark: '#f0b45c' };
		const css = meshColoursCss(meshes.map((m) => (m.id === 'cilium' ? { ...m, colour } : m)));
		expect(css).toContain('--kb-cilium: light-dark(#8a4b00, #f0b45c);');
		expect(css).toContain("[data-mesh='cilium'] { --kb-mesh: var(--kb-cilium); }");
	});

	it('becomes a third tab where <MeshTabs> is given its manifest, in meshes.yaml order', () => {
		const files = { cilium: 'cilium/x.yaml', istio: 'istio/x.yaml', linkerd: 'linkerd/x.yaml' };
		const panels = meshTabPanels('Canary split', files, columns);
		expect(panels.map((p) => p.label)).toEqual(['Istio', 'Linkerd', 'Cilium']);
		expect(panels[2]).toEqual({ mesh: 'cilium', label: 'Cilium', file: 'cilium/x.yaml' });
		// A reader who chose Cilium sees its tab; a group without it opens on its first.
		const group = panels.map((p) => p.mesh);
		expect(openingMesh(group, null, 'cilium')).toBe('cilium');
		expect(openingMesh(['istio', 'linkerd'], null, 'cilium')).toBe('istio');
		expect(() =>
			meshTabPanels('Canary split', { cilium: 'c.yaml', kuma: 'k.yaml' }, columns)
		).toThrow(
			'<MeshTabs task="Canary split">: "kuma" is not a mesh id in content/data/meshes.yaml'
		);
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
