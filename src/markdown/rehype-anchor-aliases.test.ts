import { fromHtml } from 'hast-util-from-html';
import { toHtml } from 'hast-util-to-html';
import { VFile } from 'vfile';
import { describe, expect, it } from 'vitest';
import { pageOfFile, rehypeAnchorAliases, type AnchorAlias } from './rehype-anchor-aliases.ts';

function render(html: string, path: string, aliases: AnchorAlias[]) {
	const tree = fromHtml(html, { fragment: true });
	rehypeAnchorAliases({ aliases })(tree, new VFile({ path }));
	return toHtml(tree);
}

describe('anchor aliases', () => {
	const aliases: AnchorAlias[] = [
		{ page: '/istio/security/', from: 'ambient-selector-pitfall', to: 'selector-l7-deny' },
		{ page: '/istio/security/', from: 'old-name', to: 'selector-l7-deny' },
		{ page: '/linkerd/install/', from: 'crds', to: 'install-crds' },
	];

	it('puts an element with each old id right before the one that carries the new id', () => {
		const html = render(
			'<div class="heading-wrapper"><h2 id="selector-l7-deny">Deny</h2></div><p>x</p>',
			'/repo/content/docs/istio/security.mdx',
			aliases
		);
		expect(html).toBe(
			'<div class="heading-wrapper">' +
				'<span id="ambient-selector-pitfall" class="alias-anchor" data-alias-for="selector-l7-deny"></span>' +
				'<span id="old-name" class="alias-anchor" data-alias-for="selector-l7-deny"></span>' +
				'<h2 id="selector-l7-deny">Deny</h2></div><p>x</p>'
		);
	});

	it("leaves other pages' ids alone", () => {
		const source = '<h2 id="selector-l7-deny">Deny</h2>';
		expect(render(source, '/repo/content/docs/istio/install.mdx', aliases)).toBe(source);
	});

	it('maps source files to page paths, the home page included', () => {
		expect(pageOfFile('C:\\site\\content\\docs\\istio\\security.mdx')).toBe('/istio/security/');
		expect(pageOfFile('/repo/content/docs/index.mdx')).toBe('/');
		expect(pageOfFile('/repo/content/faq/restart-pods.mdx')).toBeUndefined();
	});
});
