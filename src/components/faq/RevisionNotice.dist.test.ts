import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { parse } from 'yaml';
import { expect, it } from 'vitest';
import { distDir } from '../../../scripts/lib/built-site.ts';

it('without ?rev, the revision feature costs at most 1 KB of JavaScript', () => {
	const html = readFileSync(`${distDir}/faq/memory-cost/index.html`, 'utf8');
	const scripts = [...html.matchAll(/<script[^>]*src="([^"]*RevisionNotice[^"]*)"/g)].map(
		(m) => m[1] ?? ''
	);
	expect(scripts).toHaveLength(1);
	const file = `${distDir}/${(scripts[0] ?? '').replace(/^.*?_astro\//, '_astro/')}`;
	expect(statSync(file).size).toBeLessThanOrEqual(1024);
});

const histories = readdirSync('content/faq')
	.filter((f) => f.endsWith('.history.yaml'))
	.map(
		(f) => parse(readFileSync(`content/faq/${f}`, 'utf8')) as { id: string; revisions: unknown[] }
	);

it(`every answer page (${histories.length}) shows its revision, links its history and can show a notice`, () => {
	expect(histories.length).toBeGreaterThan(50);
	for (const h of histories) {
		const html = readFileSync(`${distDir}/faq/${h.id}/index.html`, 'utf8');
		const n = h.revisions.length;
		expect(html, h.id).toMatch(new RegExp(`Revision ${n}, <time`));
		expect(html, h.id).toContain(`href="/faq/${h.id}/history/"`);
		expect(html, h.id).toContain(`data-revision="${n}"`);
		expect(existsSync(`${distDir}/faq/${h.id}/history.json`), h.id).toBe(true);
	}
});
