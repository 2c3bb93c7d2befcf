/** A reference from a page field to an entry of another collection. */
export interface Ref {
	/** Repository path of the file holding the reference, e.g. `content/docs/istio/install.mdx`. */
	file: string;
	/** Field path inside that file, e.g. `meshes[1]`. */
	field: string;
	/** Id the field names. */
	id: string;
}

/**
 * Astro logs a dangling `reference()` but still builds the page, so the site checks its own
 * references and fails with the file, the field and the ids that would have been valid.
 */
export function findDanglingRefs(refs: Ref[], known: Iterable<string>, source: string): string[] {
	const ids = new Set(known);
	const list = [...ids].join(', ');
	return refs
		.filter((r) => !ids.has(r.id))
		.map(
			(r) => `${r.file}: ${r.field} is "${r.id}", which is not an id in ${source} (known: ${list})`
		);
}
