import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { fromHtml } from 'hast-util-from-html';
import { selectAll } from 'hast-util-select';
import type { Element, ElementContent } from 'hast';
import { sitemapPaths } from './site';
import { shellLangs, textOf } from '../src/lib/hast-text';

test.use({ permissions: ['clipboard-read', 'clipboard-write'] });

/** A value for every placeholder name, safe for a shell and recognisable in a failure. */
const valueFor = (name: string) => `my-${name}`;

interface Expected {
	lang: string;
	/** The block's text as built, with callout markers left out and placeholders filled. */
	text: string;
}

/** A code block's callout numbers are not part of what Copy copies. */
const callout = (e: Element) => {
	const cls = e.properties['className'];
	return Array.isArray(cls) && cls.includes('callout');
};
const copied = (node: ElementContent) => textOf(node, callout);

/** What each copyable block must copy, read from the built HTML rather than from the browser. */
function expectedBlocks(path: string): { blocks: Expected[]; placeholders: string[] } {
	const html = readFileSync(`dist/${path}index.html`, 'utf8');
	const tree = fromHtml(html);
	const blocks = selectAll('kb-code', tree).map((block: Element) => {
		const code = selectAll('pre code', block)[0];
		const raw = code ? code.children.map(copied).join('') : '';
		return {
			lang: String(block.properties['dataLang'] ?? ''),
			output: String(block.properties['className'] ?? '').includes('is-output'),
			raw: raw.replace(/\n+$/, ''),
		};
	});
	const placeholders = [
		...new Set(
			blocks.flatMap((b) => [...b.raw.matchAll(/<([a-z][a-z0-9-]*)>/g)].map((m) => m[1] ?? ''))
		),
	];
	return {
		placeholders,
		blocks: blocks.map((b) => ({
			lang: b.output ? 'output' : b.lang,
			text: shellLangs.has(b.lang)
				? b.raw.replace(/<([a-z][a-z0-9-]*)>/g, (_m, n: string) => valueFor(n))
				: b.raw,
		})),
	};
}

const pages = sitemapPaths().filter((p) =>
	/<kb-code/.test(readFileSync(`dist/${p}index.html`, 'utf8'))
);

test('the walk covers the FAQ page and every page with commands', () => {
	expect(pages).toContain('faq/');
	expect(pages).toContain('faq/viz-routes-empty/');
	expect(pages.length).toBeGreaterThan(15);
});

for (const path of pages) {
	test(`every copy button on /${path} copies the runnable text`, async ({ page }) => {
		const { blocks, placeholders } = expectedBlocks(path);
		const query = new URLSearchParams(placeholders.map((n) => [`ph.${n}`, valueFor(n)]));
		await page.goto(`${path}${placeholders.length ? `?${query.toString()}` : ''}`);
		const frames = page.locator('kb-code');
		await expect(frames).toHaveCount(blocks.length);
		let copied = 0;
		for (const [i, want] of blocks.entries()) {
			if (want.lang === 'output') continue;
			const button = frames.nth(i).locator('.copy-btn');
			if (!(await button.isVisible())) continue; // the other mesh's tab
			await page.evaluate(() => navigator.clipboard.writeText(''));
			await button.click();
			await expect(button).toHaveAttribute('data-state', 'copied');
			const got = await page.evaluate(() => navigator.clipboard.readText());
			expect(got, `block ${i + 1} on /${path}`).toBe(want.text);
			if (shellLangs.has(want.lang)) {
				const run = spawnSync('bash', ['-n'], { input: `${got}\n`, encoding: 'utf8' });
				expect(run.stderr, `bash -n on block ${i + 1} of /${path}`).toBe('');
			}
			copied++;
		}
		expect(copied).toBeGreaterThan(0);
	});
}
