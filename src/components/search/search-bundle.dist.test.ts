import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listPages, urlOfFile } from '../../lib/dist-files.ts';
import { base, distDir } from '../../../scripts/lib/built-site.ts';

const assets = join(distDir, '_astro');
const read = (file: string) => readFileSync(file, 'utf8');
const attr = (tag: string, name: string) => tag.match(new RegExp(`\\s${name}="([^"]*)"`))?.[1];

/** Text each part of the search code carries through minification: panel, notices, results. */
const searchCode = ['Search could not load', 'search-suggestion', 'hit-excerpt'];

describe('search code and styles ship once', () => {
	it('the search code is in exactly one bundle, shared by the dialog, /search/ and the 404 page', () => {
		const scripts = readdirSync(assets).filter((f) => f.endsWith('.js'));
		for (const text of searchCode) {
			const holders = scripts.filter((f) => read(join(assets, f)).includes(text));
			expect(holders, `bundles holding "${text}"`).toHaveLength(1);
		}
	});

	it('no page links a stylesheet twice, nor the same rules under two names, counting what search adds', () => {
		const pages = listPages(distDir);
		expect(pages.length).toBeGreaterThan(100);
		const problems: string[] = [];
		for (const file of pages) {
			const html = read(join(distDir, file));
			const page = urlOfFile(file, base);
			const linked = [...html.matchAll(/<link\b[^>]*>/g)]
				.map((m) => m[0])
				.filter((tag) => attr(tag, 'rel') === 'stylesheet')
				.map((tag) => attr(tag, 'href') ?? '');
			const dupes = linked.filter((href, i) => linked.indexOf(href) !== i);
			if (dupes.length) problems.push(`${page} links ${dupes.join(', ')} twice`);
			// A search panel adds its stylesheet (data-css) when it opens, unless the page links it.
			const added = [...html.matchAll(/\sdata-css="([^"]+)"/g)].map((m) => m[1] ?? '');
			const sheets = [...new Set([...linked, ...added])];
			const owner = new Map<string, string>();
			for (const href of sheets) {
				const css = read(join(distDir, new URL(href, 'http://site/').pathname.slice(base.length)));
				// Rules, with the layer and scope wrappers that differ between bundles cut off.
				for (const rule of css.split('}').map((r) => r.replace(/^.*\{(?=[^{]*\{)/, ''))) {
					if (rule.length < 40) continue;
					const first = owner.get(rule);
					if (first && first !== href) {
						problems.push(`${page}: ${first} and ${href} both hold ${rule.slice(0, 60)}…`);
						break;
					}
					owner.set(rule, href);
				}
			}
		}
		expect(problems).toEqual([]);
	});
});

describe('the search vocabulary', () => {
	it("names every indexed page's Pagefind id, so ranking never waits for a page to be read", () => {
		const vocabulary = JSON.parse(read(join(distDir, 'search-vocabulary.json'))) as {
			ids: Record<string, string>;
			titles: Record<string, string>;
		};
		const fragments = readdirSync(join(distDir, 'pagefind', 'fragment')).map((f) =>
			f.replace(/\.pf_fragment$/, '')
		);
		expect(Object.keys(vocabulary.ids).length).toBe(fragments.length);
		expect(new Set(Object.values(vocabulary.ids))).toEqual(new Set(fragments));
		for (const url of Object.keys(vocabulary.titles))
			expect(vocabulary.ids[url], url).toBeDefined();
	});
});
