import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { listFiles } from '../dist-files.ts';
import { checkText } from './index.ts';

/**
 * Every Kubernetes resource the site shows must pass the doctor clean: the manifests of
 * content/manifests and the YAML code blocks of pages and answers that hold resources.
 */

const manifestFiles = listFiles('content/manifests').filter((f) => /\.ya?ml$/.test(f));
const manifestText = (f: string) => readFileSync(`content/manifests/${f}`, 'utf8');

const pages = [
	...listFiles('content/docs').map((f) => `content/docs/${f}`),
	...listFiles('content/faq').map((f) => `content/faq/${f}`),
].filter((f) => f.endsWith('.mdx'));

/**
 * Each manifest is checked alone, together with the manifests of the same page that name it:
 * a page shows a Linkerd Server and then the policy that authorizes it, and a reader applies
 * both. (Not the whole page: a page may show a VirtualService and its HTTPRoute alternative.)
 */
const shown = new Set<string>();
const manifests = pages.flatMap((page) => {
	const files = [...readFileSync(page, 'utf8').matchAll(/<Manifest\s[^>]*file="([^"]+)"/g)]
		.map((m) => m[1] ?? '')
		.filter((f) => manifestFiles.includes(f));
	return files.map((f) => {
		shown.add(f);
		const names = [...manifestText(f).matchAll(/^ {2}name: (\S+)/gm)].map((m) => m[1] ?? '');
		const companions = files.filter(
			(o) =>
				o !== f &&
				names.some((n) => new RegExp(`(targetRef|server):[^]*?name: ${n}\\b`).test(manifestText(o)))
		);
		return {
			name: `${page}: ${[f, ...companions].join(' + ')}`,
			text: [f, ...companions].map(manifestText).join('\n---\n'),
		};
	});
});
for (const f of manifestFiles)
	if (!shown.has(f)) manifests.push({ name: `content/manifests/${f}`, text: manifestText(f) });

function isResourceYaml(text: string): boolean {
	try {
		return parseAllDocuments(text).some((d) => {
			const o = d.toJS() as Record<string, unknown> | null;
			return !!o && typeof o === 'object' && 'apiVersion' in o && 'kind' in o;
		});
	} catch {
		return false;
	}
}

const blocks = pages
	.flatMap((file) =>
		[...readFileSync(file, 'utf8').matchAll(/^```ya?ml[^\n]*\n([\s\S]*?)^```/gm)].map((m, i) => ({
			name: `${file} (YAML block ${i + 1})`,
			text: m[1] ?? '',
		}))
	)
	.filter((b) => isResourceYaml(b.text));

describe('the resources the site shows pass the config doctor clean', () => {
	it('finds the manifests the pages show', () => {
		expect(shown.size).toBeGreaterThan(15);
	});

	it.each([...manifests, ...blocks])('$name', ({ text }) => {
		expect(checkText(text)).toEqual([]);
	});
});
