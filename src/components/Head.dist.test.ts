import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { distDir, faqSources } from '../../scripts/lib/built-site.ts';

const decode = (v: string | undefined) =>
	v
		?.replace(/&#39;/g, "'")
		.replace(/&quot;/g, '"')
		.replace(/&lt;/g, '<')
		.replace(/&gt;/g, '>')
		.replace(/&amp;/g, '&');

describe('per-answer pages unfurl as the question', () => {
	for (const { id, question, summary } of faqSources()) {
		it(`/faq/${id}/`, () => {
			const html = readFileSync(`${distDir}/faq/${id}/index.html`, 'utf8');
			const meta = (attr: string, name: string) =>
				decode(html.match(new RegExp(`<meta ${attr}="${name}" content="([^"]*)"`))?.[1]);
			expect(decode(html.match(/<title>([^<]*)<\/title>/)?.[1])).toBe(
				`${question} | Mesh Field Guide`
			);
			expect(meta('name', 'description')).toBe(summary);
			expect(meta('property', 'og:title')).toBe(question);
			expect(meta('property', 'og:description')).toBe(summary);
			expect(meta('name', 'twitter:title')).toBe(question);
			expect(html).toMatch(new RegExp(`<link rel="canonical" href="[^"]*/faq/${id}/"`));
		});
	}
});
