/**
 * Search filter values for a page or answer about the meshes `ids`, in a guide covering
 * `meshCount` meshes: each mesh, plus "both" when it concerns every one of them (the filter is
 * labelled "All" once there are more than two), or "neither" when it concerns none.
 */
export function meshFilterFor(ids: readonly string[], meshCount: number): string[] {
	if (ids.length === 0) return ['neither'];
	return meshCount > 1 && ids.length === meshCount ? [...ids, 'both'] : [...ids];
}
