import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAnnotated, kindsOf } from './annotated-yaml.ts';
import { listFiles } from './dist-files.ts';

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
	});

	it('list the kinds of a multi-document manifest', () => {
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
