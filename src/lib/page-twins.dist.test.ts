import { existsSync, readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { offlineFiles } from '../offline/service-worker.ts';
import { distDir, sitemapPaths } from '../../scripts/lib/built-site.ts';

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
