import type { Finding } from '../../lib/doctor/types.ts';

/**
 * What the doctor's element shows, as plain functions: the summary line, the order of findings,
 * where a line sits in the field, and what is wrong with a file before it is read.
 */

/** The element as the page's loader leaves it: files dropped before the doctor's code arrived. */
export type DoctorHost = HTMLElement & { droppedFiles?: FileList };

/** What the field holds when nothing can be checked. */
export const emptyMessage =
	'Nothing to check: paste YAML into the field, or drop or choose a file.';

/** Files larger than this are refused: a manifest is kilobytes, and the field must stay usable. */
export const maxFileBytes = 1024 * 1024;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** `2 errors, 1 warning`, or `No problems found` when there is nothing to report. */
export function summaryText(findings: readonly Finding[]): string {
	if (findings.length === 0) return 'No problems found';
	const errors = findings.filter((f) => f.severity === 'error').length;
	return `${plural(errors, 'error')}, ${plural(findings.length - errors, 'warning')}`;
}

/** In the order a reader goes through the text: document, line, errors before warnings. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
	const rank = (f: Finding) => (f.severity === 'error' ? 0 : 1);
	return [...findings].sort((a, b) => a.doc - b.doc || a.line - b.line || rank(a) - rank(b));
}

/** `Document 2, line 14`: where a finding is, as the list and the Markdown say it. */
export function whereText(f: Pick<Finding, 'doc' | 'line'>): string {
	return `Document ${f.doc}, line ${f.line}`;
}

/** Start and end offsets of a 1-based line in `text` (the last line when it is past the end). */
export function lineRange(text: string, line: number): [number, number] {
	let start = 0;
	for (let n = 1; n < line; n++) {
		const next = text.indexOf('\n', start);
		if (next < 0) break;
		start = next + 1;
	}
	const end = text.indexOf('\n', start);
	return [start, end < 0 ? text.length : end];
}

/** Why a file cannot be checked, naming it, or null when it can. */
export function fileProblem(file: { name: string; size: number }): string | null {
	if (!/\.ya?ml$/i.test(file.name))
		return `${file.name} is not a .yaml or .yml file: choose a YAML manifest, or paste its text.`;
	if (file.size > maxFileBytes)
		return `${file.name} is ${(file.size / 1024 / 1024).toFixed(1)} MB; the doctor reads files up to 1 MB. Paste the documents you need checked instead.`;
	return null;
}

/**
 * What a rule applies to, from its meshes and its `<mesh> <release>` strings:
 * `Istio 1.30, 1.31; Linkerd 2.20`, or `Kubernetes, any release`.
 */
export function appliesTo(meshes: string[], releases: string[], name: (id: string) => string) {
	const groups = new Map<string, string[]>(meshes.map((m) => [m, []]));
	for (const r of releases) {
		const [mesh = '', version] = r.split(' ');
		if (version) groups.set(mesh, [...(groups.get(mesh) ?? []), version]);
	}
	const text = [...groups]
		.map(([mesh, versions]) => [name(mesh), ...(versions.length ? [versions.join(', ')] : [])])
		.map((parts) => parts.join(' '))
		.join('; ');
	return releases.length === 0 || releases.includes('any') ? `${text}, any release` : text;
}
