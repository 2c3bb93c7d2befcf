import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { stringify } from 'yaml';
import {
	answerText,
	current,
	historyFile,
	readHistory,
	type History,
} from '../src/lib/faq-history.ts';
import { readFrontmatter } from '../src/lib/frontmatter.ts';

/**
 * Records a new revision of FAQ answers whose text changed, so authors never edit a history by
 * hand. Usage:
 *   npm run faq:revise                        every changed or new answer, asking for a summary
 *   npm run faq:revise -- <id> [<id> ...]     only these answers
 *     --summary "What changed and why"        the summary, instead of asking
 *     --minor                                 a typo-level edit: update the text, keep the number
 *     --date YYYY-MM-DD                       the revision's date (default: today)
 */

const dir = 'content/faq';
const args = process.argv.slice(2);
const flag = (name: string) => {
	const i = args.indexOf(name);
	if (i < 0) return undefined;
	const value = args[i + 1];
	args.splice(i, 2);
	return value;
};
const minorAt = args.indexOf('--minor');
const minor = minorAt >= 0;
if (minor) args.splice(minorAt, 1);
const givenSummary = flag('--summary');
const date = flag('--date') ?? new Date().toISOString().slice(0, 10);
if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new Error(`--date must be YYYY-MM-DD, not ${date}`);

const answers = readdirSync(dir)
	.filter((f) => f.endsWith('.mdx') && !f.startsWith('_'))
	.map((f) => {
		const source = readFileSync(join(dir, f), 'utf8');
		const fm = readFrontmatter(source);
		return { id: String(fm['id']), source, fm };
	});
const wanted = args.length > 0 ? answers.filter((a) => args.includes(a.id)) : answers;
const unknown = args.filter((id) => !answers.some((a) => a.id === id));
if (unknown.length > 0) throw new Error(`no answer with id ${unknown.join(', ')} in ${dir}`);

const rl = process.stdin.isTTY
	? createInterface({ input: process.stdin, output: process.stdout })
	: undefined;
const header =
	'# Revision history of this answer, written by `npm run faq:revise`. Do not edit by hand:\n' +
	'# ticket links carry the revision number (?rev=N) and the page shows what changed since.\n';

let written = 0;
for (const a of wanted) {
	const path = historyFile(dir, a.id);
	const text = answerText(a.source);
	const history: History | undefined = existsSync(path) ? readHistory(path) : undefined;
	if (history && current(history).text === text) continue;
	let next: History;
	if (!history) {
		const verified = (a.fm['verified'] as { date?: unknown } | undefined)?.date;
		const first =
			verified instanceof Date ? verified.toISOString().slice(0, 10) : String(verified ?? date);
		next = {
			id: a.id,
			revisions: [
				{
					rev: 1,
					date: new Date(first),
					summary: givenSummary ?? 'First published.',
					text,
					minorEdits: 0,
				},
			],
		};
	} else if (minor) {
		const last = current(history);
		last.text = text;
		last.minorEdits += 1;
		next = history;
	} else {
		const summary =
			givenSummary ?? (await rl?.question(`${a.id}: what changed, and why (one line)? `))?.trim();
		if (!summary || summary.length < 5)
			throw new Error(
				`${a.id}: a revision needs a one-line summary; pass --summary "..." when not at a terminal`
			);
		next = {
			...history,
			revisions: [
				...history.revisions,
				{ rev: history.revisions.length + 1, date: new Date(date), summary, text, minorEdits: 0 },
			],
		};
	}
	const plain = {
		id: next.id,
		revisions: next.revisions.map((r) => ({
			rev: r.rev,
			date: r.date.toISOString().slice(0, 10),
			summary: r.summary,
			...(r.minorEdits > 0 ? { minorEdits: r.minorEdits } : {}),
			text: r.text,
		})),
	};
	writeFileSync(path, header + stringify(plain, { lineWidth: 0, blockQuote: 'literal' }));
	written++;
	const last = next.revisions[next.revisions.length - 1];
	console.log(`${a.id}: revision ${last?.rev ?? 1}${minor && history ? ' (minor edit)' : ''}`);
}
rl?.close();
console.log(
	written === 0 ? 'Every answer matches its last revision.' : `${written} history file(s) written.`
);
