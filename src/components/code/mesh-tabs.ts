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

/**
 * The panels of a `<MeshTabs>`: one per mesh given a manifest, in the order of meshes.yaml. A key
 * that is not a mesh, or fewer than two manifests, stops the build naming the tab group.
 */
export function meshTabPanels(
	task: string,
	files: Readonly<Record<string, string | undefined>>,
	meshes: readonly { id: string; name: string }[]
): { mesh: string; label: string; file: string }[] {
	const panels = meshes
		.filter((m) => files[m.id])
		.map((m) => ({ mesh: m.id, label: m.name, file: files[m.id] ?? '' }));
	const unknown = Object.keys(files).filter((k) => !meshes.some((m) => m.id === k));
	if (unknown.length > 0 || panels.length < 2)
		throw new Error(
			`<MeshTabs task="${task}">: ${unknown.length ? `"${unknown.join('", "')}" is not a mesh id in content/data/meshes.yaml` : 'needs a manifest for at least two meshes'}`
		);
	return panels;
}
