import { describe, expect, it } from 'vitest';
import { addCallouts, manifestSlug, noteHtml } from './manifest-render.ts';
import { highlightToHast } from './highlight-code.ts';
import { toHtml } from 'hast-util-to-html';

describe('manifest rendering', () => {
	it('writes a note as HTML with its inline code, escaped', () => {
		expect(noteHtml('Use `<b>` & co')).toBe('Use <code>&lt;b&gt;</code> &amp; co');
	});

	it('put a callout on each annotated line, outside the copied text', async () => {
		const tree = await highlightToHast('a: 1\nb: 2', 'yaml');
		addCallouts(tree, [{ n: 1, line: 2, text: 'x', id: 'f-note-1' }]);
		const html = toHtml(tree);
		expect(html).toContain(
			'<a class="callout" href="#f-note-1" data-note="1" data-twin="skip" aria-label="Note 1">1</a></span></code></pre>'
		);
		expect(html).not.toContain('style=');
	});

	it('name note anchors after the file', () => {
		expect(manifestSlug('istio/peerauthentication-strict.yaml')).toBe(
			'istio-peerauthentication-strict'
		);
	});
});
