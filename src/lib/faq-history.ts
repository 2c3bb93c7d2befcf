import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'astro/zod';
import { parse } from 'yaml';
import { readFrontmatter } from './frontmatter.ts';

export { wordDiff, type DiffPart } from './word-diff.ts';

/**
 * Answer revisions. Each answer `content/faq/<id>.mdx` has a history beside it,
 * `content/faq/<id>.history.yaml`, written by `npm run faq:revise`: one entry per revision with
 * its date, a one-line summary and the answer's text as it was. A ticket link carries the
 * revision it was made at (`?rev=N`), so the page can say what changed since.
 */

export const revisionSchema = z.object({
	rev: z.number().int().min(1),
	date: z.coerce.date(),
	summary: z.string().min(5).max(300),
	/** The answer's text at this revision: question, short answer and body. */
	text: z.string().min(20),
	/** Later edits recorded as not material (typos, links); the text above includes them. */
	minorEdits: z.number().int().min(0).default(0),
});

export const historySchema = z.object({
	id: z.string(),
	revisions: z.array(revisionSchema).min(1),
});

export type Revision = z.infer<typeof revisionSchema>;
export type History = z.infer<typeof historySchema>;

/** The part of an answer a revision covers: question, short answer and body, normalised. */
export function answerText(source: string): string {
	const fm = readFrontmatter(source);
	const body = source.replace(/^---\r?\n[\s\S]*?\r?\n---\r?\n?/, '');
	const clean = (s: string) =>
		s
			.replace(/\r\n/g, '\n')
			.replace(/[ \t]+$/gm, '')
			.replace(/\n{3,}/g, '\n\n')
			.trim();
	return `# ${String(fm['question'] ?? '').trim()}\n\n> ${String(fm['summary'] ?? '').trim()}\n\n${clean(body)}\n`;
}

export const historyFile = (dir: string, id: string) => join(dir, `${id}.history.yaml`);

export function readHistory(path: string): History {
	return historySchema.parse(parse(readFileSync(path, 'utf8')));
}

/** The current revision: the last one. */
export function current(history: History): Revision {
	return history.revisions[history.revisions.length - 1] as Revision;
}

/**
 * Answers whose text differs from their last recorded revision, or that have no history, each
 * with what to do. Like the anchor registry: a test fails on any of them.
 */
export function historyProblems(dir: string): string[] {
	const problems: string[] = [];
	for (const file of readdirSync(dir).filter((f) => f.endsWith('.mdx') && !f.startsWith('_'))) {
		const source = readFileSync(join(dir, file), 'utf8');
		const id = String(readFrontmatter(source)['id'] ?? file.replace(/\.mdx$/, ''));
		const path = historyFile(dir, id);
		if (!existsSync(path)) {
			problems.push(
				`${id}: no revision history (${path}). Run "npm run faq:revise -- ${id}" to record revision 1.`
			);
			continue;
		}
		let history: History;
		try {
			history = readHistory(path);
		} catch (e) {
			problems.push(
				`${id}: ${path} is not a valid history: ${(e as Error).message.split('\n')[0]}`
			);
			continue;
		}
		if (history.id !== id) problems.push(`${id}: ${path} says id "${history.id}"`);
		history.revisions.forEach((r, i) => {
			if (r.rev !== i + 1) problems.push(`${id}: revision ${i + 1} is numbered ${r.rev}`);
		});
		const last = current(history);
		if (last.text !== answerText(source))
			problems.push(
				`${id}: the answer changed since revision ${last.rev} but no revision was recorded. Run "npm run faq:revise -- ${id}" (add --minor for a typo-level edit).`
			);
	}
	return problems;
}

/** A short fingerprint, for messages and the JSON the page fetches. */
export function fingerprint(text: string): string {
	return createHash('sha256').update(text).digest('hex').slice(0, 12);
}
