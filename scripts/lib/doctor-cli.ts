import { existsSync, readdirSync } from 'node:fs';
import { current, historyFile, readHistory } from '../../src/lib/faq-history.ts';
import { checkText, type Finding } from '../../src/lib/doctor/index.ts';
import { linkFor } from '../../src/lib/doctor/links.ts';

/** The current revision of every answer under `faqDir`, for `?rev=` in links. */
export function answerRevisions(faqDir = 'content/faq'): Record<string, number> {
	const revs: Record<string, number> = {};
	for (const f of readdirSync(faqDir)) {
		const id = /^([a-z0-9-]+)\.mdx$/.exec(f)?.[1];
		if (!id || !existsSync(historyFile(faqDir, id))) continue;
		revs[id] = current(readHistory(historyFile(faqDir, id))).rev;
	}
	return revs;
}

export interface CliInput {
	name: string;
	text: string;
}

/** `file:line: severity rule-id: message (link)` per finding, a summary line, and the exit code. */
export function runDoctor(
	inputs: CliInput[],
	link: (see: string) => string
): { lines: string[]; code: number } {
	const lines: string[] = [];
	let errors = 0;
	let warnings = 0;
	for (const input of inputs) {
		for (const f of checkText(input.text) as Finding[]) {
			if (f.severity === 'error') errors++;
			else warnings++;
			lines.push(`${input.name}:${f.line}: ${f.severity} ${f.rule}: ${f.message} (${link(f.see)})`);
		}
	}
	const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
	lines.push(`${plural(errors, 'error')}, ${plural(warnings, 'warning')}`);
	return { lines, code: errors > 0 ? 1 : 0 };
}

/** Links as the CLI prints them: absolute, with the site's URL and base and each answer's revision. */
export function cliLink(
	site: string,
	base: string,
	faqDir = 'content/faq'
): (see: string) => string {
	const revs = answerRevisions(faqDir);
	return (see) => linkFor(see, { base, site, revs });
}

export const usage =
	'usage: npm run doctor -- <file.yaml>... (use - to read standard input)\n' +
	'Checks Kubernetes manifests for Istio, Linkerd and Gateway API mistakes; exits 1 on any error.';
