import { describe, expect, it } from 'vitest';
import { anchorsOfHtml, checkRegistry, type PageAnchors } from './anchors.ts';
import { findFaqIdClashes } from '../../src/lib/faq-ids.ts';
import { pageOfFile } from '../../src/markdown/rehype-anchor-aliases.ts';

const page = (
	anchors: string[],
	aliases: Record<string, string> = {},
	duplicates: string[] = []
): PageAnchors => ({
	anchors,
	aliases,
	duplicates,
});

describe('reading anchors from HTML', () => {
	it('takes headings and marked elements, aliases and duplicate ids', () => {
		const html = `<h1 id="_top">T</h1><h2 id="install">I</h2><div id="layout"></div>
			<span id="old" class="alias-anchor" data-alias-for="restart-pods"></span>
			<article id="restart-pods" data-anchor></article><p id="install"></p>`;
		expect(anchorsOfHtml(html)).toEqual({
			anchors: ['install', 'restart-pods'],
			aliases: { old: 'restart-pods' },
			duplicates: ['install'],
		});
	});
});

describe('the anchor registry check', () => {
	const registry = {
		'/faq/': ['default-deny', 'restart-pods'],
		'/istio/security/': ['default-deny'],
	};

	it('passes when every registered anchor still exists', () => {
		expect(
			checkRegistry(registry, {
				'/faq/': page(['default-deny', 'restart-pods']),
				'/istio/security/': page(['default-deny']),
			})
		).toEqual([]);
	});

	it('fails on a removed anchor without an alias, naming it', () => {
		expect(
			checkRegistry(registry, {
				'/faq/': page(['default-deny']),
				'/istio/security/': page(['default-deny']),
			})
		).toEqual([
			'/faq/#restart-pods: this published anchor no longer exists. Restore the id, or declare an alias from "restart-pods" to its new id (FAQ: "aliases" in the entry; other pages: content/data/anchor-aliases.yaml).',
		]);
	});

	it('accepts a renamed anchor when an alias points at the new id', () => {
		const current = {
			'/faq/': page(['default-deny', 'pods-restart'], { 'restart-pods': 'pods-restart' }),
			'/istio/security/': page(['default-deny']),
		};
		expect(
			checkRegistry(
				{ ...registry, '/faq/': ['default-deny', 'pods-restart', 'restart-pods'] },
				current,
				() => true
			)
		).toEqual([]);
	});

	it('fails on an alias to an id that does not exist', () => {
		const current = {
			'/faq/': page(['default-deny', 'restart-pods'], { old: 'gone' }),
			'/istio/security/': page(['default-deny']),
		};
		expect(checkRegistry(registry, current)).toEqual([
			'/faq/#old: alias points to "gone", which does not exist on the page.',
		]);
	});

	it('fails when a FAQ alias has no forwarding page', () => {
		const current = {
			'/faq/': page(['default-deny', 'restart-pods'], { old: 'restart-pods' }),
			'/istio/security/': page(['default-deny']),
		};
		expect(checkRegistry(registry, current, () => false)).toEqual([
			'/faq/old/: the former answer URL has no forwarding page.',
		]);
	});

	it('fails on duplicate ids and on a page that disappeared', () => {
		expect(
			checkRegistry(registry, {
				'/faq/': page(['default-deny', 'restart-pods'], {}, ['default-deny']),
			})
		).toEqual([
			'/istio/security/: the page is gone, so links to #default-deny break. Restore the page.',
			'/faq/: id "default-deny" is used more than once; links to it are ambiguous.',
		]);
	});

	it('asks for a registry update when new anchors appear', () => {
		const current = {
			'/faq/': page(['default-deny', 'restart-pods', 'new-one']),
			'/istio/security/': page(['default-deny']),
		};
		expect(checkRegistry(registry, current)).toEqual([
			'/faq/: new anchors not in the registry (new-one). Run "npm run anchors -- --update" and commit content/anchors.json.',
		]);
	});
});

describe('FAQ ids', () => {
	it('fail when two entries claim the same id or alias, naming both files', () => {
		expect(
			findFaqIdClashes([
				{ file: 'content/faq/a.mdx', id: 'restart-pods', aliases: [] },
				{ file: 'content/faq/b.mdx', id: 'restart-pods', aliases: ['a-old'] },
				{ file: 'content/faq/c.mdx', id: 'c', aliases: ['a-old'] },
			])
		).toEqual([
			'FAQ anchor "restart-pods" is claimed twice: as id in content/faq/a.mdx and as id in content/faq/b.mdx. Give one entry a different id.',
			'FAQ anchor "a-old" is claimed twice: as alias in content/faq/b.mdx and as alias in content/faq/c.mdx. Give one entry a different id.',
		]);
	});

	it('map page sources to their paths', () => {
		expect(pageOfFile('/work/content/docs/istio/security.mdx')).toBe('/istio/security/');
		expect(pageOfFile('content/docs/index.mdx')).toBe('/');
		expect(pageOfFile('content/faq/x.mdx')).toBeUndefined();
	});
});
