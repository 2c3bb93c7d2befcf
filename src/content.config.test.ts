import {
	appendFileSync,
	copyFileSync,
	existsSync,
	mkdirSync,
	readdirSync,
	readFileSync,
} from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
	astroOn,
	buildFixtureSite,
	edit,
	fixtureContent,
	type FixtureSite,
} from '../scripts/lib/fixture-site.ts';

describe('a page with invalid frontmatter', () => {
	it('fails the content sync with the file, the field and what is expected', () => {
		const root = fixtureContent({
			name: 'page-without-description',
			docs: ['index'],
			faq: [],
			change: (root) => edit(`${root}/docs/index.mdx`, /^description: .*\n(?: {2}.*\n)*/m, ''),
		});
		const { output, status } = astroOn(root, ['sync']);
		expect(status).not.toBe(0);
		expect(output).toContain(`${root}/docs/index.mdx`);
		expect(output).toContain(
			'description: description is required: one sentence of at most 160 characters'
		);
	});
});

/**
 * A third mesh, built: meshes.yaml gains Cilium, one answer names it and one tab group gives it a
 * manifest. Every page that lists meshes, and every twin, must then carry it without code changes
 * (the code-level checks of the same change are in src/lib/mesh-coverage.test.ts).
 */
describe('a mesh added to meshes.yaml, in a built fixture site', () => {
	let site: FixtureSite;
	// One build of nine pages: about 11 s alone, minutes beside the browsers in `npm test`.
	beforeAll(() => {
		site = buildFixtureSite({
			name: 'three-meshes',
			docs: ['index', 'faq', 'troubleshooting', 'reference/side-by-side', 'decide/compare'],
			faq: ['mesh-vs-api-gateway'],
			change: (root) => {
				appendFileSync(
					`${root}/data/meshes.yaml`,
					[
						'- id: cilium',
						'  name: Cilium',
						'  homepage: https://cilium.io/',
						'  proxyLanguage: eBPF in the kernel, Envoy for L7',
						'  cncfGraduated: 2023-10-11',
						"  colour: { light: '#8a4b00', dark: '#f0b45c' }",
						'  summary: A fixture mesh for the test that a new entry is enough.',
						'',
					].join('\n')
				);
				edit(
					`${root}/faq/mesh-vs-api-gateway.mdx`,
					/^meshes: \[istio, linkerd\]$/m,
					'meshes: [istio, linkerd, cilium]'
				);
				mkdirSync(`${root}/manifests/cilium`);
				copyFileSync(
					`${root}/manifests/istio/httproute-canary.yaml`,
					`${root}/manifests/cilium/httproute-canary.yaml`
				);
				edit(
					`${root}/docs/reference/side-by-side.mdx`,
					'linkerd="linkerd/httproute-canary.yaml" />',
					'linkerd="linkerd/httproute-canary.yaml" cilium="cilium/httproute-canary.yaml" />'
				);
			},
		});
	}, 600_000);
	const html = (path: string) => readFileSync(`${site.dist}/${path}`, 'utf8');
	const text = (path: string) =>
		html(path)
			.replace(/<[^>]+>/g, ' ')
			.replace(/\s+/g, ' ');

	it('builds, and the build names each data file that should say more about it', () => {
		expect(site.status, site.output.slice(-3000)).toBe(0);
		expect(site.output).toContain(
			'test-results/fixtures/three-meshes/content/data/decision-tree.yaml: no outcome recommends "cilium".'
		);
		expect(site.output).toContain('versions has no "cilium" entry');
	});

	it('names it on the answer page, files the answer under every filter, and says so in the twin', () => {
		expect(text('faq/mesh-vs-api-gateway/index.html')).toContain(
			'Applies to Istio, Linkerd and Cilium.'
		);
		const filters = [
			...html('faq/mesh-vs-api-gateway/index.html').matchAll(
				/data-pagefind-filter="mesh"[^>]*>\s*([a-z]+)/g
			),
		].map((m) => m[1]);
		expect(filters).toEqual(['istio', 'linkerd', 'cilium', 'both']);
		expect(html('faq/mesh-vs-api-gateway.md')).toMatch(
			/\nApplies to Istio, Linkerd and Cilium\. {2}\nVerified against /
		);
		// An answer about two of the three is no longer "both": it is filed under each of the two.
		expect(text('faq/index.html')).toContain('Applies to Istio, Linkerd and Cilium.');
	});

	it('adds a third tab only where the page gives it a manifest, and a section in the twin', () => {
		const groups = [
			...html('reference/side-by-side/index.html').matchAll(
				/aria-label="([^"]+): choose a mesh"[^>]*>([\s\S]*?)<\/div>/g
			),
		].map(
			([, task, tabs]) =>
				`${task}: ${[...(tabs ?? '').matchAll(/>([^<]+)<\/button>/g)].map((m) => m[1]?.trim()).join(', ')}`
		);
		expect(groups).toEqual([
			'Canary split: Istio, Linkerd, Cilium',
			'Strict mTLS: Istio, Linkerd',
			'Allow one caller: Istio, Linkerd',
			'Retries: Istio, Linkerd',
		]);
		const twin = html('reference/side-by-side.md');
		expect(twin).toMatch(/\n#### Cilium\n[\s\S]*\/manifests\/cilium\/httproute-canary\.yaml\)/);
		expect(existsSync(`${site.dist}/manifests/cilium/httproute-canary.yaml`)).toBe(true);
	});

	it('becomes a comparison column, the search filters say All, and its colour is defined', () => {
		const compare = html('decide/compare/index.html');
		expect(compare).toMatch(/<th[^>]*scope="col"[^>]*>\s*Cilium/);
		expect(text('decide/compare/index.html')).toContain('not compared yet');
		expect(text('search/index.html')).toMatch(/Istio Linkerd Cilium All Neither/);
		const css = readdirSync(`${site.dist}/_astro`)
			.filter((f) => f.endsWith('.css'))
			.map((f) => readFileSync(`${site.dist}/_astro/${f}`, 'utf8'))
			.join('');
		expect(css).toContain('--kb-cilium:light-dark(#8a4b00,#f0b45c)');
	});
});
