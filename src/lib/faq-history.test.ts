import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { answerText, historyProblems } from './faq-history.ts';
import { wordDiff } from './word-diff.ts';

const answer = (body: string) =>
	[
		'---',
		'id: sample',
		'question: Is this a sample question for the history check?',
		'summary: Yes, and its short answer is long enough.',
		'category: basics',
		'---',
		'',
		body,
		'',
	].join('\n');

function fixture(body: string, history?: string): string {
	const dir = mkdtempSync(join(tmpdir(), 'faq-history-'));
	writeFileSync(join(dir, 'sample.mdx'), answer(body));
	if (history !== undefined) writeFileSync(join(dir, 'sample.history.yaml'), history);
	return dir;
}

const historyOf = (text: string) =>
	`id: sample\nrevisions:\n  - rev: 1\n    date: 2026-09-22\n    summary: First published.\n    text: |\n${text
		.split('\n')
		.map((l) => (l ? `      ${l}` : ''))
		.join('\n')}\n`;

describe('answer revision history', () => {
	it('every answer on the site matches its last recorded revision', () => {
		expect(historyProblems('content/faq')).toEqual([]);
	});

	it('fails an answer whose text changed without a revision, naming it and the command', () => {
		const dir = fixture('The first body.', historyOf(answerText(answer('The first body.'))));
		expect(historyProblems(dir)).toEqual([]);
		writeFileSync(join(dir, 'sample.mdx'), answer('A corrected body.'));
		expect(historyProblems(dir)).toEqual([
			'sample: the answer changed since revision 1 but no revision was recorded. Run "npm run faq:revise -- sample" (add --minor for a typo-level edit).',
		]);
	});

	it('fails an answer without a history', () => {
		const [problem] = historyProblems(fixture('A body.'));
		expect(problem).toMatch(/^sample: no revision history .*npm run faq:revise -- sample/);
	});

	it('ignores edits outside the answer text (sources, asked, related links, version stamp)', () => {
		const body = 'Same body.';
		const dir = fixture(body, historyOf(answerText(answer(body))));
		const withSources = answer(body).replace(
			'category: basics',
			'category: basics\nsources:\n  - title: A source\n    url: https://example.com/\nasked:\n  - how do other people ask this'
		);
		writeFileSync(join(dir, 'sample.mdx'), withSources);
		expect(historyProblems(dir)).toEqual([]);
	});

	it('copies the repository history unchanged into a fixture without problems', () => {
		const dir = mkdtempSync(join(tmpdir(), 'faq-copy-'));
		cpSync('content/faq', dir, { recursive: true });
		expect(historyProblems(dir)).toEqual([]);
		expect(readFileSync(join(dir, 'memory-cost.history.yaml'), 'utf8')).toContain('rev: 2');
	});
});

describe('word diff', () => {
	it('marks removed and added words and keeps the rest', () => {
		expect(wordDiff('retries are alpha in ambient', 'retries are stable in ambient')).toEqual([
			{ type: 'same', text: 'retries are ' },
			{ type: 'del', text: 'alpha' },
			{ type: 'ins', text: 'stable' },
			{ type: 'same', text: ' in ambient' },
		]);
		expect(wordDiff('', 'new')).toEqual([{ type: 'ins', text: 'new' }]);
	});
});
