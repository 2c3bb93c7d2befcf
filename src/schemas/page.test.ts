import { sectionIds } from '../site.config.ts';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'astro/zod';
import { pageSchema } from './page.ts';
import { readFrontmatter } from '../lib/frontmatter.ts';

const schema = pageSchema(
	z.enum(['istio', 'linkerd'], { error: 'meshes must name ids from content/data/meshes.yaml' })
);

function issuesOf(fixture: string): string[] {
	const source = readFileSync(new URL(`./fixtures/pages/${fixture}`, import.meta.url), 'utf8');
	const result = schema.safeParse(readFrontmatter(source));
	if (result.success) return [];
	return result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('page frontmatter schema', () => {
	it('accepts a complete page and fills defaults', () => {
		const source = readFileSync(new URL('./fixtures/pages/valid.mdx', import.meta.url), 'utf8');
		const data = schema.parse(readFrontmatter(source));
		expect(data.toc).toBe(true);
		expect(data.verified.date.toISOString().slice(0, 10)).toBe('2026-09-22');
		expect(data.meshes).toEqual(['istio']);
	});

	it('names every missing field and says what it expects', () => {
		expect(issuesOf('missing-fields.mdx')).toEqual([
			'description: description is required: one sentence of at most 160 characters',
			'nav: nav is required: { section, order } places the page in the sidebar',
			'verified: verified is required: { istio, linkerd, date } names the releases the page was checked against',
			'sources: sources is required: a list of { title, url } upstream documents',
		]);
	});

	it('explains each invalid value', () => {
		expect(issuesOf('bad-values.mdx')).toEqual([
			'description: description must be at most 160 characters (it is used for meta and Open Graph)',
			`nav.section: nav.section must be one of ${sectionIds.join(', ')} (see sections in src/site.config.ts)`,
			'nav.order: nav.order must be 0 or more',
			'kind: kind must be one of guide, concept, reference, faq',
			'meshes.0: meshes must name ids from content/data/meshes.yaml',
			'verified.istio: verified.istio must be one of 1.31, 1.30 (see versions in src/site.config.ts)',
			'verified.date: verified.date must be a date written YYYY-MM-DD',
			'sources.0.url: each source url must be an absolute https:// URL',
		]);
	});
});
