import { describe, expect, it } from 'vitest';
import { htmlToMarkdown, twin } from './markdown-twin.ts';

const ctx = { siteUrl: 'https://docs.example/mesh/', pageUrl: 'https://docs.example/mesh/page/' };
const md = (html: string) => htmlToMarkdown(html, ctx);

describe('Markdown twins from rendered HTML', () => {
	it('keeps code fence languages and placeholders, drops highlight spans, callouts and controls', () => {
		expect(
			md(
				'<kb-code><div class="code-head" data-twin="skip"><span>Shell</span><button>Copy</button></div>' +
					'<pre class="astro-code" data-language="bash"><code><span class="line"><span>kubectl label namespace </span>' +
					'<var class="ph" data-ph="namespace">&lt;namespace&gt;</var><span> istio.io/dataplane-mode=ambient</span>' +
					'<a class="callout" data-twin="skip" href="#n1">1</a></span></code></pre></kb-code>'
			)
		).toBe('```bash\nkubectl label namespace <namespace> istio.io/dataplane-mode=ambient\n```');
	});

	it('drops heading permalinks and self-links, keeps the heading text', () => {
		expect(
			md(
				'<div class="heading-wrap"><h2 id="install">Install</h2><a class="heading-anchor" href="#install" data-twin="skip">' +
					'<span aria-hidden="true">#</span><span class="sr-only">Permalink to “Install”</span></a></div>' +
					'<h2 id="hbone"><a href="#hbone">HBONE</a></h2>'
			)
		).toBe('## Install\n\n## HBONE');
	});

	it('makes site links absolute, fragments against the page, and leaves other hosts alone', () => {
		expect(
			md(
				'<p>See <a href="/mesh/faq/#restart-pods">the FAQ</a>, <a href="#note-1">the note</a> and ' +
					'<a href="https://istio.io/">Istio</a>.</p>'
			)
		).toBe(
			'See [the FAQ](https://docs.example/mesh/faq/#restart-pods), [the note](https://docs.example/mesh/page/#note-1) and [Istio](https://istio.io/).'
		);
		expect(md('<a href="#x" data-twin-href="/mesh/faq/x/">X</a>')).toBe(
			'[X](https://docs.example/mesh/faq/x/)'
		);
	});

	it('turns a manifest into a YAML block with its notes numbered after it', () => {
		const out = md(
			'<div class="manifest"><kb-code><div class="code-head"><span><span>PeerAuthentication (security.istio.io/v1)</span>' +
				'<span data-twin-before=". ">Validated against Istio 1.30.3 CRDs</span></span><span data-twin-before=". ">' +
				'<a href="/mesh/manifests/istio/pa.yaml" download>Download<span class="sr-only"> pa.yaml</span></a>' +
				'<button>Copy</button></span></div><pre class="astro-code" data-language="yaml"><code>' +
				'<span class="line">apiVersion: security.istio.io/v1<a class="callout" data-twin="skip">1</a></span>\n' +
				'<span class="line">kind: PeerAuthentication</span></code></pre></kb-code>' +
				'<ol class="notes"><li data-twin-before="Line 1: ">The <code>v1</code> API.</li><li data-twin-before="Line 2: ">Strict.</li></ol></div>'
		);
		expect(out).toBe(
			'PeerAuthentication (security.istio.io/v1). Validated against Istio 1.30.3 CRDs. [Download pa.yaml](https://docs.example/mesh/manifests/istio/pa.yaml)\n\n' +
				'```yaml\napiVersion: security.istio.io/v1\nkind: PeerAuthentication\n```\n\n' +
				'1. Line 1: The `v1` API.\n2. Line 2: Strict.'
		);
		expect(out).not.toContain('#>');
	});

	it('gives mesh tabs one section per mesh, introduced by the task, without the tab buttons', () => {
		const out = md(
			'<kb-mesh-tabs><div class="tablist js-only" role="tablist" data-twin-text="Canary split, for each mesh:">' +
				'<button>Istio</button><button>Linkerd</button></div>' +
				'<section class="panel"><h4>Istio</h4><pre data-language="yaml"><code>kind: HTTPRoute</code></pre></section>' +
				'<section class="panel"><h4>Linkerd</h4><pre data-language="yaml"><code>kind: HTTPRoute</code></pre></section></kb-mesh-tabs>'
		);
		expect(out.startsWith('Canary split, for each mesh:\n\n#### Istio\n\n```yaml')).toBe(true);
		expect(out.indexOf('#### Linkerd')).toBeGreaterThan(out.indexOf('#### Istio'));
		expect(out.match(/```yaml/g)).toHaveLength(2);
		expect(out).not.toMatch(/Istio\s*Linkerd/);
	});

	it('writes a diagram as its description and caption, never its drawing', () => {
		expect(
			md(
				'<figure><div class="scroll" data-twin-text="Diagram: a request goes from pod to ztunnel.">' +
					'<svg><title>T</title><desc>D</desc><text>ztunnel</text></svg></div><figcaption>The ambient path.</figcaption></figure>'
			)
		).toBe('Diagram: a request goes from pod to ztunnel.\n\nThe ambient path.');
	});

	it('lists links with the text the component adds after them, as a link list', () => {
		expect(
			md(
				'<ul><li data-twin-after=": Two minutes."><a href="/mesh/decide/tree/"><span>Decide</span>' +
					'<span data-twin="skip">Two minutes.</span></a></li></ul>'
			)
		).toBe('- [Decide](https://docs.example/mesh/decide/tree/): Two minutes.');
	});

	it('leaves out what only scripts show: hidden and js-only parts, form fields, buttons', () => {
		const out = md(
			'<div class="js-only"><p>Your answers so far</p></div><nav hidden><p>Path</p></nav>' +
				'<label><span>Pods</span><input value="100"></label><button>Start over</button>' +
				'<script type="application/json">{"a":1}</script><p>Kept.</p>'
		);
		expect(out).toBe('Pods\n\nKept.');
	});

	it('writes a table with row groups as one table per group, its caption first', () => {
		const out = md(
			'<table><caption>Istio and Linkerd, feature by feature.</caption><thead><tr><th>Feature</th><th>Istio</th><th>Linkerd</th></tr></thead>' +
				'<tbody><tr><th scope="rowgroup" colspan="3">Security</th></tr><tr><th>mTLS</th><td><strong>Yes</strong>' +
				'<span data-twin-before=". ">Automatic.</span></td><td>Yes | always</td></tr></tbody>' +
				'<tbody><tr><th scope="rowgroup" colspan="3">Traffic</th></tr><tr><th>Retries</th><td>Yes</td><td>Opt-in</td></tr></tbody></table>'
		);
		expect(out).toBe(
			'Istio and Linkerd, feature by feature.\n\n**Security**\n\n| Feature | Istio | Linkerd |\n| - | - | - |\n' +
				'| mTLS | **Yes**. Automatic. | Yes \\| always |\n\n**Traffic**\n\n| Feature | Istio | Linkerd |\n| - | - | - |\n| Retries | Yes | Opt-in |'
		);
	});

	it('keeps a fact with its source link in brackets', () => {
		expect(
			md(
				'<p>Retries: <span class="fact">Istio retries twice. <span data-twin-before="(" data-twin-after=")">' +
					'<a href="https://github.com/istio/istio/blob/1.31.0/x.go#L36">source<span class="sr-only" data-twin="skip">: istio/istio 1.31.0</span></a></span></span></p>'
			)
		).toBe(
			'Retries: Istio retries twice. ([source](https://github.com/istio/istio/blob/1.31.0/x.go#L36))'
		);
	});

	it('keeps words of an inline element and drops its link when asked', () => {
		expect(
			md(
				'<p>The <a href="/mesh/reference/glossary/#waypoint" data-twin="inline">waypoint</a> applies it.</p>'
			)
		).toBe('The waypoint applies it.');
	});

	it('heads the twin with where it lives and what it was verified against', () => {
		expect(
			twin(
				{
					title: 'T',
					description: 'D',
					url: 'https://docs.example/mesh/t/',
					applies: 'Applies to Istio and Linkerd.',
					verified: 'Verified against Istio 1.31 and Linkerd 2.20 on 30 November 2026.',
					sources: [{ title: 'S', url: 'https://s.example/' }],
				},
				'Body.'
			)
		).toBe(
			'# T\n\n> D\n\nOn the site: https://docs.example/mesh/t/  \nApplies to Istio and Linkerd.  \nVerified against Istio 1.31 and Linkerd 2.20 on 30 November 2026.\n\nBody.\n\n## Sources\n\n- [S](https://s.example/)\n'
		);
	});
});
