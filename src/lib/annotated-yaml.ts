/**
 * Annotated manifests: a note sits at the end of the line it explains, after `#>`:
 *
 *     mode: STRICT   #> Refuse plaintext from clients outside the mesh.
 *
 * `#>` starts an ordinary YAML comment, so the annotated file is itself valid YAML and can be
 * validated as it is. Notes may use `backticks` for code; a `#>` inside a quoted string is
 * part of the value, not a note.
 */

export interface Note {
	/** 1-based number shown on the callout. */
	n: number;
	/** 1-based line of the clean manifest the note explains. */
	line: number;
	text: string;
}

/** Index of a `#>` marker that starts a comment (outside quotes, after white space), or -1. */
export function markerIndex(line: string): number {
	let quote: string | undefined;
	for (let i = 0; i < line.length; i++) {
		const c = line[i];
		if (quote) {
			if (c === '\\' && quote === '"') i++;
			else if (c === quote) quote = undefined;
		} else if ((c === '"' || c === "'") && /(?:^|[:\-[{,])\s*$/.test(line.slice(0, i))) quote = c;
		else if (c === '#' && line[i + 1] === '>' && (i === 0 || /\s/.test(line[i - 1] ?? '')))
			return i;
	}
	return -1;
}

/** The manifest without annotations (what readers copy and download) and the notes. */
export function parseAnnotated(source: string): { clean: string; notes: Note[] } {
	const notes: Note[] = [];
	const lines = source.replace(/\r\n/g, '\n').split('\n');
	const clean = lines.map((line, i) => {
		const at = markerIndex(line);
		if (at < 0) return line;
		notes.push({ n: notes.length + 1, line: i + 1, text: line.slice(at + 2).trim() });
		return line.slice(0, at).trimEnd();
	});
	return { clean: clean.join('\n').replace(/\n*$/, '\n'), notes };
}

/** `apiVersion` and `kind` of each document, for the frame's label. */
export function kindsOf(clean: string): { apiVersion: string; kind: string }[] {
	return clean
		.split(/^---\s*$/m)
		.map((doc) => ({
			apiVersion: doc.match(/^apiVersion:\s*(\S+)/m)?.[1] ?? '',
			kind: doc.match(/^kind:\s*(\S+)/m)?.[1] ?? '',
		}))
		.filter((d) => d.apiVersion && d.kind);
}
