import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { distDir, faqSources } from '../../../scripts/lib/built-site.ts';

it('the FAQ page carries FAQPage structured data for every answer it lists', () => {
	const html = readFileSync(`${distDir}/faq/index.html`, 'utf8');
	const json = html.match(/<script type="application\/ld\+json">([^<]*)<\/script>/)?.[1] ?? '{}';
	const data = JSON.parse(json) as { '@type': string; mainEntity: { name: string }[] };
	expect(data['@type']).toBe('FAQPage');
	expect(data.mainEntity.map((q) => q.name).sort()).toEqual(
		faqSources()
			.filter((e) => e.list === 'faq/')
			.map((e) => e.question)
			.sort()
	);
});
