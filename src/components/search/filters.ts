import { readParams } from '../../lib/url-state';

/** One filter per mesh in content/data/meshes.yaml, plus pages about all of them or none. */
export function meshFilters(meshes: readonly { id: string; name: string }[]) {
	return [
		...meshes.map((m) => ({ value: m.id, label: m.name })),
		{ value: 'both', label: meshes.length === 2 ? 'Both' : 'All' },
		{ value: 'neither', label: 'Neither' },
	];
}

/**
 * Filters from the URL (`?mesh=istio&kind=faq`), ignoring values that do not exist. The values
 * that exist are the panel's own checkboxes, which the build draws from content/data/meshes.yaml
 * and the page kinds, so nothing here repeats those lists.
 */
export function filtersFromUrl(
	search: string,
	allowed: { mesh: string[]; kind: string[] }
): { mesh: string[]; kind: string[] } {
	return {
		mesh: readParams(search, 'mesh').filter((v) => allowed.mesh.includes(v)),
		kind: readParams(search, 'kind').filter((v) => allowed.kind.includes(v)),
	};
}
