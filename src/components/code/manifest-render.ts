import { readFileSync } from 'node:fs';
import type { Element, Root } from 'hast';
import { toHtml } from 'hast-util-to-html';
import { kindsOf, parseAnnotated, type Note } from '../../lib/annotated-yaml.ts';
import { highlightToHast } from './highlight-code.ts';
import { contentRoot } from '../../site.config.ts';

export const manifestsDir = `${contentRoot}/manifests`;

export interface RenderedManifest {
	/** Highlighted `<pre>` with numbered callouts on annotated lines. */
	html: string;
	notes: (Note & { id: string; html: string })[];
	clean: string;
	kinds: { apiVersion: string; kind: string }[];
}

/** `istio/peerauthentication-strict.yaml` → `istio-peerauthentication-strict`: the prefix of note anchors. */
export function manifestSlug(file: string): string {
	return file
		.replace(/\.ya?ml$/, '')
		.replace(/[^a-z0-9]+/gi, '-')
		.toLowerCase();
}

const escapeHtml = (s: string) =>
	s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Note text with `code` spans; everything else is escaped. */
export function noteHtml(text: string): string {
	return escapeHtml(text).replace(/`([^`]+)`/g, '<code>$1</code>');
}

/** Adds callout links to the highlighted lines that carry a note. */
export function addCallouts(tree: Root, notes: (Note & { id: string })[]): void {
	const pre = tree.children.find((c): c is Element => c.type === 'element' && c.tagName === 'pre');
	const code = pre?.children.find(
		(c): c is Element => c.type === 'element' && c.tagName === 'code'
	);
	const lines = (code?.children ?? []).filter((c): c is Element => c.type === 'element');
	for (const note of notes) {
		const line = lines[note.line - 1];
		if (!line)
			throw new Error(
				`note ${note.n} points at line ${note.line}, which the manifest does not have`
			);
		line.children.push({
			type: 'element',
			tagName: 'a',
			properties: {
				className: ['callout'],
				href: `#${note.id}`,
				dataNote: String(note.n),
				dataTwin: 'skip',
				ariaLabel: `Note ${note.n}`,
			},
			children: [{ type: 'text', value: String(note.n) }],
		});
	}
}

/** Reads, cleans, highlights and annotates one manifest file under `content/manifests/`. */
export async function renderManifest(file: string): Promise<RenderedManifest> {
	const path = `${manifestsDir}/${file}`;
	let source: string;
	try {
		source = readFileSync(path, 'utf8');
	} catch {
		throw new Error(
			`<Manifest file="${file}">: no such file ${path}; manifests live under ${manifestsDir}/`
		);
	}
	const { clean, notes } = parseAnnotated(source);
	const slug = manifestSlug(file);
	const withIds = notes.map((n) => ({ ...n, id: `${slug}-note-${n.n}`, html: noteHtml(n.text) }));
	const tree = await highlightToHast(clean.replace(/\n$/, ''), 'yaml');
	addCallouts(tree, withIds);
	return { html: toHtml(tree), notes: withIds, clean, kinds: kindsOf(clean) };
}
