import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { listFiles } from './dist-files.ts';
import { bodyOf, components, jsxProps, mdxToMarkdown, twin } from './markdown-twin.ts';

const ctx = { siteUrl: 'https://docs.example/mesh/' };
const sources = [
	...listFiles('content/docs').map((f) => `content/docs/${f}`),
	...listFiles('content/faq')
		.filter((f) => f.endsWith('.mdx'))
		.map((f) => `content/faq/${f}`),
];

describe('Markdown twins', () => {
	it('has a rendering for every component the content uses', () => {
		const used = new Set(
			sources.flatMap((f) =>
				[...readFileSync(f, 'utf8').matchAll(/^<([A-Z]\w*)/gm)].map((m) => m[1])
			)
		);
		expect(used.size).toBeGreaterThan(8);
		// <Fact> stands inline (in sentences and table cells) and is rendered by factMarkdown.
		used.delete('Fact');
		for (const c of used) expect(Object.keys(components), String(c)).toContain(c);
	});

	it.each(sources)('%s becomes clean Markdown, with no component markup left', (file) => {
		const md = mdxToMarkdown(bodyOf(readFileSync(file, 'utf8')), ctx, file);
		expect(md).not.toMatch(/^<[A-Z]|^import |\{\/\*/m);
		expect(md).not.toMatch(/\]\(\/[^)]/);
	});

	it('turns a manifest into a YAML block with its notes numbered after it', () => {
		const md =
			components['Manifest']?.({ file: 'istio/peerauthentication-strict.yaml' }, ctx) ?? '';
		expect(md).toMatch(
			/^`istio\/peerauthentication-strict\.yaml`\n\n```yaml\napiVersion: security\.istio\.io\/v1\n/
		);
		expect(md).not.toContain('#>');
		expect(md).toMatch(/```\n\n1\. Line \d+: /);
	});

	it('gives mesh tabs one labelled block per mesh', () => {
		const md =
			components['MeshTabs']?.(
				{
					task: 'Canary split',
					istio: 'istio/httproute-canary.yaml',
					linkerd: 'linkerd/httproute-canary.yaml',
				},
				ctx
			) ?? '';
		expect(md.indexOf('**Istio**')).toBeGreaterThan(0);
		expect(md.indexOf('**Linkerd**')).toBeGreaterThan(md.indexOf('**Istio**'));
		expect(md.match(/```yaml/g)).toHaveLength(2);
	});

	it('lists job cards, the glossary and FAQ answers as links and text', () => {
		expect(
			components['JobCards']?.(
				{ jobs: "[{ href: 'decide/tree/', title: 'Decide', text: 'Two minutes.' }]" },
				ctx
			)
		).toBe('- [Decide](https://docs.example/mesh/decide/tree/): Two minutes.');
		expect(components['GlossaryList']?.({}, ctx)).toMatch(/^- \*\*[^*]+\*\*: /);
		const faq = components['FaqList']?.({}, ctx) ?? '';
		expect(faq).toContain('(https://docs.example/mesh/faq/restart-pods/)');
		expect(faq).not.toContain('/faq/rbac-access-denied/');
		const ts = components['FaqList']?.({ categories: 'troubleshootingCategories' }, ctx) ?? '';
		expect(ts).toContain('/faq/rbac-access-denied/');
		expect(ts).not.toContain('/faq/restart-pods/');
	});

	it('writes data components as text: tree, comparison, calculator, diagrams', () => {
		expect(components['DecisionTree']?.({}, ctx)).toContain('Recommendation: Neither, for now');
		expect(components['ComparisonMatrix']?.({}, ctx)).toMatch(
			/\| Feature \| Istio \| Linkerd \| Neither \|/
		);
		expect(components['OverheadCalculator']?.({}, ctx)).toContain(
			'| Istio, sidecars | 5.9 GiB | 15 GiB | 10.5 cores |'
		);
		for (const d of ['AmbientPath', 'SidecarVsAmbient', 'MigrationPhases'])
			expect(components[d]?.({}, ctx)).toMatch(/^\*Diagram: .{40,}\*$/);
	});

	it('keeps code fence languages, drops fence meta, keeps placeholders, absolutises site links', () => {
		const md = mdxToMarkdown(
			[
				"import X from '../x.astro';",
				'## Install {/* #install */}',
				'',
				'See [the FAQ](/faq/#restart-pods).',
				'',
				'```bash step',
				'kubectl label namespace <namespace> istio.io/dataplane-mode=ambient',
				'```',
			].join('\n'),
			ctx
		);
		expect(md).toBe(
			'## Install\n\nSee [the FAQ](https://docs.example/mesh/faq/#restart-pods).\n\n```bash\nkubectl label namespace <namespace> istio.io/dataplane-mode=ambient\n```'
		);
	});

	it('refuses a component it cannot render, naming it', () => {
		expect(() => mdxToMarkdown('<Fancy thing="x" />', ctx, 'page.mdx')).toThrow(
			'page.mdx: no Markdown rendering for <Fancy>'
		);
	});

	it('reads JSX attributes, strings and expressions', () => {
		expect(jsxProps(' file="a.yaml" jobs={[{ a: 1 }]} ')).toEqual({
			file: 'a.yaml',
			jobs: '[{ a: 1 }]',
		});
	});

	it('heads the twin with where it lives and what it was verified against', () => {
		expect(
			twin(
				{
					title: 'T',
					description: 'D',
					url: 'https://docs.example/mesh/t/',
					verified: 'Verified against Istio 1.31 and Linkerd 2.20 on 30 November 2026.',
					sources: [{ title: 'S', url: 'https://s.example/' }],
				},
				'Body.'
			)
		).toBe(
			'# T\n\n> D\n\nOn the site: https://docs.example/mesh/t/  \nVerified against Istio 1.31 and Linkerd 2.20 on 30 November 2026.\n\nBody.\n\n## Sources\n\n- [S](https://s.example/)\n'
		);
	});
});
