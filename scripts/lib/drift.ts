/**
 * Drift: re-checks quotes against a newer tag of their repository and names the facts whose
 * evidence changed or vanished, and the pages that state them.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { locateQuote, type LoadedFact } from '../../src/lib/facts.ts';

/** Reads a file of a repository at a ref; undefined when the file does not exist there. */
export type ReadAt = (repo: string, ref: string, path: string) => string | undefined;

/** Reads from the bare git mirrors on this machine (`<mirrors>/<owner>+<name>/repo`). */
export function mirrorReader(mirrors = process.env['KB_MIRRORS'] ?? '/work/.mirror'): ReadAt {
	return (repo, ref, path) => {
		const git = join(mirrors, repo.replace('/', '+'), 'repo');
		if (!existsSync(git)) throw new Error(`no mirror of ${repo} at ${git}`);
		try {
			return execFileSync('git', ['-C', git, 'show', `${ref}:${path}`], {
				encoding: 'utf8',
				maxBuffer: 64 * 1024 * 1024,
				stdio: ['ignore', 'pipe', 'ignore'],
			});
		} catch {
			return undefined;
		}
	};
}

/** Reads from a folder laid out like vendor/upstream/files (`<owner>/<repo>/<ref>/<path>`). */
export function folderReader(root: string): ReadAt {
	return (repo, ref, path) => {
		const file = join(root, repo, ref, path);
		return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
	};
}

export interface Drift {
	fact: string;
	file: string;
	path: string;
	/** `changed`: the file is there but the quote is not; `vanished`: the file is gone. */
	status: 'changed' | 'vanished';
	quote: string;
	/** The line of the new file closest to the quote, when it changed. */
	closest?: string | undefined;
	/** Pages and answers that state the fact. */
	pages: string[];
}

/**
 * Re-checks every quote of `repo` read at `from` (or at any ref when `from` is not given)
 * against the same path at `to`. `paths` limits the check to some files (a replayed change).
 */
export function drift(options: {
	facts: LoadedFact[];
	repo: string;
	from?: string | undefined;
	to: string;
	read: ReadAt;
	pagesOf: (factId: string) => string[];
	paths?: readonly string[] | undefined;
}): Drift[] {
	const out: Drift[] = [];
	for (const f of options.facts)
		for (const e of f.evidence) {
			if (e.repo !== options.repo || (options.from && e.ref !== options.from)) continue;
			if (options.paths && !options.paths.includes(e.path)) continue;
			const text = options.read(e.repo, options.to, e.path);
			const base = { fact: f.id, file: `${f.file}:${f.line}`, path: e.path, quote: e.quote.trim() };
			if (text === undefined) {
				out.push({ ...base, status: 'vanished', pages: options.pagesOf(f.id) });
				continue;
			}
			const m = locateQuote(text, e.quote);
			if (!m.found)
				out.push({
					...base,
					status: 'changed',
					closest: m.closest && `line ${m.closest.line}: ${m.closest.text}`,
					pages: options.pagesOf(f.id),
				});
		}
	return out;
}

/** The report a writer reads: one block per fact, then the pages to revisit. */
export function driftReport(
	repo: string,
	from: string | undefined,
	to: string,
	found: Drift[]
): string {
	const head = `${repo}: quotes ${from ? `read at ${from}` : 'at any ref'} re-checked at ${to}`;
	if (found.length === 0) return `${head}: every quote still holds.`;
	const lines = found.map(
		(d) =>
			`- ${d.fact} (${d.file}): evidence ${d.status} in ${d.path}\n    quote: ${d.quote.replace(/\s+/g, ' ')}${
				d.closest ? `\n    closest now: ${d.closest}` : ''
			}\n    stated on: ${d.pages.length ? d.pages.join(', ') : '(no page)'}`
	);
	const pages = [...new Set(found.flatMap((d) => d.pages))].sort();
	return [
		`${head}: ${found.length} piece(s) of evidence changed or vanished`,
		...lines,
		`Pages to revisit: ${pages.length ? pages.join(', ') : '(none)'}`,
	].join('\n');
}
