import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { sitemapPaths, viaNginx } from './site';
import { readFrontmatter } from '../src/lib/frontmatter';

/** The heading a page's twin opens with, read from the page's source. */
const heading = (file: string, key: string) =>
	`# ${String(readFrontmatter(readFileSync(file, 'utf8'))[key])}`;

for (const path of ['istio/install/', 'faq/memory-cost/', './']) {
	test(
		`/${path} links its Markdown twin, which is clean Markdown with its stamp and address`,
		{ tag: '@server' },
		async ({ page, request }) => {
			await page.goto(path);
			const title = (await page.locator('h1').first().innerText()).trim();
			const href = await page
				.locator('link[rel="alternate"][type="text/markdown"]')
				.getAttribute('href');
			expect(href).toMatch(/\.md$/);
			const res = await request.get(href ?? '');
			expect(res.status()).toBe(200);
			if (viaNginx(test.info())) expect(res.headers()['content-type']).toMatch(/^text\/markdown/);
			const md = await res.text();
			expect(md.startsWith(`# ${title}\n\n> `)).toBe(true);
			expect(md).toMatch(/\nOn the site: https?:\/\/\S+\n?/);
			expect(md).toMatch(/Verified against Istio 1\.\d+ and Linkerd 2\.\d+/);
			expect(md).not.toMatch(/<[A-Z]\w+|class="|data-pagefind/);
		}
	);
}

test(
	'llms.txt lists every page and answer with its Markdown link; llms-full.txt holds the guide',
	{ tag: '@server' },
	async ({ request }) => {
		const llms = await (await request.get('llms.txt')).text();
		expect(llms.startsWith('# Mesh Field Guide\n\n> ')).toBe(true);
		const links = [...llms.matchAll(/^- \[[^\]]+\]\((\S+\.md)\): .+$/gm)].map((m) => m[1] ?? '');
		const pages = sitemapPaths().filter((p) => !p.startsWith('search/'));
		expect(links.length).toBeGreaterThanOrEqual(pages.length - 1);
		for (const section of [
			'## Start here',
			'## Istio',
			'## Linkerd',
			'## FAQ answers',
			'## Troubleshooting answers',
		])
			expect(llms).toContain(section);
		const one = await request.get(new URL(links[1] ?? '').pathname);
		expect(one.status()).toBe(200);
		const full = await (await request.get('llms-full.txt')).text();
		expect(full).toContain(heading('content/docs/istio/install.mdx', 'title'));
		expect(full).toContain(heading('content/faq/memory-cost.mdx', 'question'));
	}
);
