import type { Finding } from './types.ts';

/**
 * The URL of a finding's explanation. An answer link (`/faq/<id>/`) carries the answer's current
 * revision (`?rev=N`) so a ticket can later show what changed since; the `#fragment` stays last.
 * `site` makes the link absolute (the CLI); without it the link is root-relative under `base`.
 */
export function linkFor(
	see: string,
	opts: { base: string; site?: string; revs: Record<string, number> }
): string {
	const hash = see.indexOf('#');
	const path = hash < 0 ? see : see.slice(0, hash);
	const fragment = hash < 0 ? '' : see.slice(hash);
	const answer = /^\/faq\/([a-z0-9-]+)\/$/.exec(path)?.[1];
	const rev = answer ? opts.revs[answer] : undefined;
	const query = rev ? `?rev=${rev}` : '';
	const base = opts.base.endsWith('/') ? opts.base : `${opts.base}/`;
	const local = `${base}${path.replace(/^\//, '')}${query}${fragment}`;
	return opts.site ? `${opts.site.replace(/\/+$/, '')}${local}` : local;
}

function plural(n: number, word: string): string {
	return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** The findings as a Markdown list, ready to paste into a ticket. */
export function findingsMarkdown(
	findings: Finding[],
	link: (see: string) => string,
	fileName?: string
): string {
	const errors = findings.filter((f) => f.severity === 'error').length;
	const warnings = findings.length - errors;
	const what = fileName ? `\`${fileName}\`` : 'the pasted YAML';
	const head = `Config doctor: ${plural(errors, 'error')}, ${plural(warnings, 'warning')} in ${what}`;
	if (findings.length === 0) return `${head}.\n`;
	const lines = findings.map((f) => {
		const where = `document ${f.doc}, line ${f.line}${f.path ? `, \`${f.path}\`` : ''}`;
		return `- **${f.severity}** \`${f.rule}\` (${where}): ${f.message} [Why](${link(f.see)})`;
	});
	return `${head}:\n\n${lines.join('\n')}\n`;
}
