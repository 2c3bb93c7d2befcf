import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAnnotated, kindsOf } from './annotated-yaml.ts';
import { listFiles } from '../../lib/dist-files.ts';
import { addCallouts, manifestSlug, noteHtml } from './manifest-render.ts';
import { highlightToHast } from './highlight-code.ts';
import { toHtml } from 'hast-util-to-html';

const manifests = listFiles('content/manifests').filter((f) => /\.ya?ml$/.test(f));

describe('annotated manifests', () => {
	it('strip #> notes into a clean manifest and a numbered list', () => {
		const { clean, notes } = parseAnnotated(
			'a: 1 #> First note.\nb: "x #> kept" # plain comment\nc:   3   #> Second `note`.\nd: don\'t #> Third.\n'
		);
		expect(clean).toBe('a: 1\nb: "x #> kept" # plain comment\nc:   3\nd: don\'t\n');
		expect(notes).toEqual([
			{ n: 1, line: 1, text: 'First note.' },
			{ n: 2, line: 3, text: 'Second `note`.' },
			{ n: 3, line: 4, text: 'Third.' },
		]);
		expect(noteHtml('Use `<b>` & co')).toBe('Use <code>&lt;b&gt;</code> &amp; co');
	});

	it('put a callout on each annotated line, outside the copied text', async () => {
		const tree = await highlightToHast('a: 1\nb: 2', 'yaml');
		addCallouts(tree, [{ n: 1, line: 2, text: 'x', id: 'f-note-1' }]);
		const html = toHtml(tree);
		expect(html).toContain(
			'<a class="callout" href="#f-note-1" data-note="1" aria-label="Note 1">1</a></span></code></pre>'
		);
		expect(html).not.toContain('style=');
	});

	it('name note anchors after the file', () => {
		expect(manifestSlug('istio/peerauthentication-strict.yaml')).toBe(
			'istio-peerauthentication-strict'
		);
		expect(
			kindsOf('apiVersion: v1\nkind: Service\n---\napiVersion: apps/v1\nkind: Deployment\n')
		).toEqual([
			{ apiVersion: 'v1', kind: 'Service' },
			{ apiVersion: 'apps/v1', kind: 'Deployment' },
		]);
	});

	it.each(manifests)('%s: every note sits on the YAML line it explains', (file) => {
		const source = readFileSync(`content/manifests/${file}`, 'utf8').split('\n');
		const { clean, notes } = parseAnnotated(source.join('\n'));
		const cleanLines = clean.split('\n');
		for (const n of notes) {
			const original = source[n.line - 1] ?? '';
			// The callout goes on the line that carried the marker, and that line keeps its YAML.
			expect(original, `${file}:${n.line}`).toContain(`#> ${n.text}`);
			const kept = cleanLines[n.line - 1] ?? '';
			expect(kept.trim(), `${file}:${n.line}`).not.toBe('');
			expect(original.startsWith(kept), `${file}:${n.line} keeps its YAML`).toBe(true);
			expect(kept, `${file}:${n.line}`).not.toContain('#>');
		}
	});
});
