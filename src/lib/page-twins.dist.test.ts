import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { offlineFiles } from '../offline/service-worker.ts';
import { base, distDir, sitemapPaths } from '../../scripts/lib/built-site.ts';
import { siteConfig } from '../site.config.ts';
import { listFiles } from './dist-files.ts';

it('the whole-guide offline copy includes the twins and llms.txt', () => {
	const files = offlineFiles(distDir, '').map((f) => f.url);
	expect(files).toContain('llms.txt');
	expect(files).toContain('istio/install.md');
	expect(files).toContain('faq/memory-cost.md');
});

it('every page in the sitemap links a Markdown twin that exists', () => {
	const pages = sitemapPaths().filter((p) => !p.startsWith('search/'));
	expect(pages.length).toBeGreaterThan(90);
	for (const path of pages) {
		const html = readFileSync(`${distDir}/${path}index.html`, 'utf8');
		const href = html.match(/<link rel="alternate" type="text\/markdown" href="([^"]+)"/)?.[1];
		expect(href, path).toMatch(/\.md$/);
		expect(existsSync(`${distDir}${href ?? ''}`), `${path} → ${href ?? ''}`).toBe(true);
	}
});

const twinFiles = listFiles(distDir).filter((f) => f.endsWith('.md'));
const read = (path: string) => readFileSync(`${distDir}/${path}`, 'utf8');
const site = new URL(base, siteConfig.site).href;

describe('the built twins', () => {
	it('exist for every page and answer', () => {
		expect(twinFiles.length).toBeGreaterThan(90);
	});

	it.each(twinFiles)('%s is clean Markdown: no markup, no site-relative links', (file) => {
		const md = read(file);
		// A section folder's index only lists its pages (each twin carries its own stamp).
		const sectionIndex = /^> The pages under \/[a-z-]+\/, in reading order\.$/m.test(md);
		expect(md).toMatch(
			sectionIndex
				? /^# .+\n\n> .+\n\nOn the site: https?:\/\/\S+\n\n/
				: /^# .+\n\n> .+\n\nOn the site: https?:\/\/\S+ {2}\nApplies to [^\n]+\. {2}\nVerified against /
		);
		// Code (fenced or inline) may quote placeholders such as `<TRUST_DOMAIN>`; prose may not hold markup.
		const prose = md.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
		expect(prose).not.toMatch(/<[A-Z]\w+|class="|data-(pagefind|twin)|^import |\{\/\*/m);
		expect(md).not.toMatch(/\]\(\/[^)]/);
		expect(md).not.toMatch(/Permalink to|Copy as Markdown|Start over/);
	});

	it('writes manifests as YAML blocks with their notes numbered after them, and tabs per mesh', () => {
		const md = read('reference/side-by-side.md');
		expect(md).toContain('Canary split, for each mesh:\n\n#### Istio\n\n');
		expect(md.indexOf('#### Linkerd')).toBeGreaterThan(md.indexOf('#### Istio'));
		expect(md).toMatch(/\n```yaml\napiVersion: gateway\.networking\.k8s\.io\/v1\n/);
		expect(md).toMatch(/\n```\n\n1\. Line \d+: /);
		expect(md).toContain(`(${site}manifests/istio/httproute-canary.yaml)`);
	});

	it('lists FAQ and troubleshooting answers as links to their pages with their summaries', () => {
		const faq = read('faq.md');
		expect(faq).toMatch(
			new RegExp(
				`\\n- \\[[^\\]]+\\]\\(${site.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}faq/restart-pods/\\): \\S`
			)
		);
		expect(faq).not.toContain('/faq/rbac-access-denied/');
		const ts = read('troubleshooting.md');
		expect(ts).toContain(`](${site}faq/rbac-access-denied/): `);
		expect(ts).not.toContain('/faq/restart-pods/');
	});

	it('writes the comparison as tables, the calculator as its default table, the tree as text', () => {
		expect(read('decide/compare.md')).toMatch(
			/\*\*Security\*\*\n\n\| Feature \| Istio \| Linkerd \| Neither \(Kubernetes \+ tools\) \|\n/
		);
		const cost = read('decide/cost.md');
		expect(cost).toContain('Pods: 100, Nodes: 10, Waypoints: 3');
		expect(cost).toContain('| Istio, sidecars | 5.9 GiB | 15 GiB | 10.5 cores |');
		const tree = read('decide/tree.md');
		expect(tree).toMatch(/## Question: .+\?\n/);
		expect(tree).toMatch(
			/\n- \[.+\]\(.+#outcome-neither\): .+ Next: Recommendation: Neither, for now\n/
		);
		expect(tree).toContain('## Recommendation: Istio in ambient mode');
	});

	it('writes diagrams as their text description, jobs and glossary entries as text', () => {
		expect(read('istio/architecture.md')).toMatch(/\nDiagram: .{40,}\n/);
		expect(read('index.md')).toMatch(/\n- \[[^\]]+\]\(https?:\/\/\S+\/\): \S/);
		expect(read('reference/glossary.md')).toMatch(/\n## HBONE\n\n\S/);
	});
});
