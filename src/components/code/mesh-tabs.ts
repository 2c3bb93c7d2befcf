/**
 * Mesh tabs remember the reader's mesh the way Starlight's synced tabs do: the choice is kept in
 * storage under one sync key and every tab group on every page opens on it. A shared link may
 * carry a choice of its own (`?tab=linkerd`, see src/lib/url-state.ts); it wins on that page only.
 */
export const tabSyncKey = 'kb-tabs:mesh';

/** The mesh a tab group opens on: the link's, else the reader's, else the group's first. */
export function openingMesh(
	groupMeshes: readonly string[],
	fromLink: string | null,
	stored: string | null
): string {
	for (const mesh of [fromLink, stored]) if (mesh && groupMeshes.includes(mesh)) return mesh;
	return groupMeshes[0] ?? '';
}

/** The reader's stored choice; null when there is none or storage is blocked. */
export function storedMesh(): string | null {
	try {
		return localStorage.getItem(tabSyncKey);
	} catch {
		return null;
	}
}

export function storeMesh(mesh: string): void {
	try {
		localStorage.setItem(tabSyncKey, mesh);
	} catch {
		// Storage blocked (private mode, policy): the choice still holds on this page and in its address.
	}
}
