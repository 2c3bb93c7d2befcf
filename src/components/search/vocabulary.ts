import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Element, Root } from 'hast';
import { fromHtml } from 'hast-util-from-html';
import { select, selectAll } from 'hast-util-select';
import { listPages, urlOfFile } from '../../lib/dist-files.ts';

/**
 * The site's vocabulary, written next to the index at build time: every word Pagefind indexed
 * (article text, so glossary terms, API kinds and fields, CLI commands and flags are all in it)
 * with the number of pages it appears on, and the exact error texts troubleshooting answers quote.
 * Search uses it to correct typos, to tell an honest "nothing found" and to match pasted errors.
 */
export interface Vocabulary {
	/** Words, most frequent first. */
	words: string[];
	/** Pages each word appears on, same order as `words`. */
	df: number[];
	/** Exact error texts and the answer that explains each. */
	errors: { text: string; url: string }[];
}

/** Words as search sees them: lower-case runs of letters and digits, with inner . - / _ kept. */
export function tokenize(text: string): string[] {
	return (text.toLowerCase().match(/[\p{L}\p{N}]+(?:[._/-][\p{L}\p{N}]+)*/gu) ?? []).flatMap(
		(w) => {
			// "gateway.networking.k8s.io" is found by its parts as well as whole.
			const parts = w.split(/[._/-]/).filter((p) => p.length > 1);
			return parts.length > 1 ? [w, ...parts] : [w];
		}
	);
}

function textOf(node: Root | Root['children'][number], skip: (e: Element) => boolean): string {
	if (node.type === 'text') return node.value;
	if (node.type !== 'element' && node.type !== 'root') return '';
	if (node.type === 'element' && skip(node)) return '';
	return node.children.map((c: Root['children'][number]) => textOf(c, skip)).join(' ');
}

const ignored = (e: Element) =>
	e.properties['dataPagefindIgnore'] !== undefined ||
	e.tagName === 'script' ||
	e.tagName === 'style';

/** Reads every built page's indexed text. */
export function buildVocabulary(distDir: string, base: string): Vocabulary {
	const df = new Map<string, number>();
	const errors: Vocabulary['errors'] = [];
	for (const file of listPages(distDir)) {
		const tree = fromHtml(readFileSync(join(distDir, file), 'utf8'));
		const body = select('[data-pagefind-body]', tree);
		if (!body) continue;
		const seen = new Set(tokenize(textOf(body, ignored)));
		for (const w of seen) if (w.length > 1 && w.length <= 40) df.set(w, (df.get(w) ?? 0) + 1);
		const url = urlOfFile(file, base);
		for (const code of selectAll('.seen code', body))
			errors.push({ text: textOf(code, ignored), url });
	}
	const words = [...df.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
	return { words: words.map(([w]) => w), df: words.map(([, n]) => n), errors };
}
