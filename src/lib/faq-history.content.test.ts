import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { current, readHistory, revisionSchema } from './faq-history.ts';

/**
 * Revision summaries are shown in the history list and the "changed since" notice; the schema
 * caps them (the build fails on a longer one). Checked here so `npm run test:content` names the
 * file and revision before a build does.
 */
const dir = 'content/faq';

function summaryProblems(file: string, text: string): string[] {
	const history = parse(text) as { revisions?: { rev?: number; summary?: unknown }[] };
	return (history.revisions ?? []).flatMap((r, i) => {
		const checked = revisionSchema.shape.summary.safeParse(r.summary);
		if (checked.success) return [];
		const length = typeof r.summary === 'string' ? `${r.summary.length} characters` : 'missing';
		return [
			`${file}: revision ${r.rev ?? i + 1} summary (${length}): ${checked.error.issues[0]?.message}. Shorten it to one line.`,
		];
	});
}

describe('answer revision summaries', () => {
	it('every summary in content/faq fits the schema', () => {
		const files = readdirSync(dir).filter((f) => f.endsWith('.history.yaml'));
		expect(files.length).toBeGreaterThan(0);
		const problems = files.flatMap((f) =>
			summaryProblems(join(dir, f), readFileSync(join(dir, f), 'utf8'))
		);
		expect(problems).toEqual([]);
	});

	it('fails a summary over 300 characters, naming the file and revision', () => {
		const history = (summary: string) =>
			`id: x\nrevisions:\n  - rev: 1\n    date: 2026-09-22\n    summary: First published.\n    text: t\n  - rev: 2\n    date: 2026-10-01\n    summary: ${summary}\n    text: t\n`;
		expect(summaryProblems('x.history.yaml', history('a'.repeat(300)))).toEqual([]);
		const [problem] = summaryProblems('x.history.yaml', history('a'.repeat(301)));
		expect(problem).toMatch(/^x\.history\.yaml: revision 2 summary \(301 characters\): /);
	});
});

describe('a corrected answer keeps what it said before', () => {
	it("virtualservice-in-ambient: the first edition's claim is in its history, not in the current text", () => {
		const h = readHistory(join(dir, 'virtualservice-in-ambient.history.yaml'));
		const revs = h.revisions.map((r) => r.rev);
		// Consecutive from 1: a correction adds a revision, it never rewrites an old one.
		expect(revs).toEqual(revs.map((_, i) => i + 1));
		expect(revs.length).toBeGreaterThanOrEqual(3);
		expect(h.revisions[1]?.text).toContain('the `HTTPRoute` wins');
		expect(h.revisions[2]?.summary).toMatch(/^Corrected: /);
		expect(current(h).text).not.toContain('the `HTTPRoute` wins');
	});
});
