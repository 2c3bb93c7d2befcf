import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'astro/zod';
import { listFiles } from '../../src/lib/dist-files.ts';
import { readFrontmatter } from '../../src/lib/frontmatter.ts';
import { findKnownErrors } from './known-errors.ts';
import { pageSchema } from '../../src/schemas/page.ts';
import { siteConfig } from '../../src/site.config.ts';

const docs = listFiles('content/docs').filter((f) => f.endsWith('.mdx'));
const schema = pageSchema(z.enum(['istio', 'linkerd']));

/** The pages the knowledge-base issue asks for, by URL path. */
const required = [
	'index',
	'concepts/what-a-mesh-solves',
	'decide/choosing',
	'istio/architecture',
	'istio/install',
	'istio/enrol',
	'istio/traffic',
	'istio/security',
	'istio/debugging',
	'istio/upgrades',
	'linkerd/architecture',
	'linkerd/install',
	'linkerd/enable',
	'linkerd/traffic',
	'linkerd/security',
	'linkerd/observability',
	'linkerd/upgrades',
	'operate/overhead',
	'operate/day-two',
	'operate/migration',
	'reference/glossary',
];

/**
 * An answer's `asked:` list holds how readers phrase the problem, misconceptions included ("linkerd
 * service in fail-fast 503"): search matches them, the site never states them. Blank those lines
 * (keeping line numbers) before looking for wrong statements.
 */
function withoutAsked(source: string): string {
	let inAsked = false;
	return source
		.split('\n')
		.map((line) => {
			if (/^asked:/.test(line)) inAsked = true;
			else if (inAsked && !/^\s+-|^\s*$/.test(line)) inAsked = false;
			return inAsked ? '' : line;
		})
		.join('\n');
}

describe('the knowledge base', () => {
	it('has every required page', () => {
		const present = new Set(docs.map((f) => f.replace(/\.mdx$/, '')));
		expect(required.filter((p) => !present.has(p))).toEqual([]);
	});

	it.each(docs)('%s carries a version stamp and upstream sources', (file) => {
		const data = schema.parse(readFrontmatter(readFileSync(`content/docs/${file}`, 'utf8')));
		// The versions the site config allows, not a copy of them that could drift.
		expect(siteConfig.versions.istio).toContain(data.verified.istio);
		expect(siteConfig.versions.linkerd).toContain(data.verified.linkerd);
		expect(data.sources.length).toBeGreaterThan(0);
		for (const s of data.sources) expect(s.url).toMatch(/^https:\/\//);
	});

	it.each([
		...docs.map((f) => `content/docs/${f}`),
		// Histories keep what was once published, wrong statements included: that is their point.
		...listFiles('content/faq')
			.filter((f) => !f.endsWith('.history.yaml'))
			.map((f) => `content/faq/${f}`),
		...listFiles('content/manifests').map((f) => `content/manifests/${f}`),
		...listFiles('content/data').map((f) => `content/data/${f}`),
	])('%s repeats none of the known wrong statements', (path) => {
		expect(findKnownErrors(withoutAsked(readFileSync(path, 'utf8')))).toEqual([]);
	});
});
