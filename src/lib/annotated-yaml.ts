/**
 * Annotated manifests: a note sits at the end of the line it explains, after `#>`:
 *
 *     mode: STRICT   #> Refuse plaintext from clients outside the mesh.
 *
 * `#>` starts an ordinary YAML comment, so the annotated file is itself valid YAML and can be
 * validated as it is. Notes may use `backticks` for code. A note cannot sit inside a quoted
 * string; put it after the closing quote.
 */

export interface Note {
	/** 1-based number shown on the callout. */
	n: number;
	/** 1-based line of the clean manifest the note explains. */
	line: number;
	text: string;
}

const marker = /\s+#>\s?(.*)$/;

/** The manifest without annotations (what readers copy and download) and the notes. */
export function parseAnnotated(source: string): { clean: string; notes: Note[] } {
	const notes: Note[] = [];
	const lines = source.replace(/\r\n/g, '\n').split('\n');
	const clean = lines.map((line, i) => {
		const m = line.match(marker);
		if (!m || m.index === undefined) return line;
		notes.push({ n: notes.length + 1, line: i + 1, text: (m[1] ?? '').trim() });
		return line.slice(0, m.index);
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
