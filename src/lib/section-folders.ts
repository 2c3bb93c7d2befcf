/** A group of a folder's pages, under the sidebar section that lists them. */
export interface FolderGroup<P> {
	/** Sidebar section id, used as the group's anchor. */
	id: string;
	label: string;
	items: P[];
}

/** A folder of page addresses (`istio` for /istio/install/) and its pages. */
export interface SectionFolder<P> {
	folder: string;
	title: string;
	/** The folder's pages, grouped and ordered as the sidebar shows them. */
	groups: FolderGroup<P>[];
	/** How many pages the groups hold. */
	count: number;
}

/**
 * The folders that page addresses pass through, so that `/istio/` is a page listing the Istio
 * pages instead of an empty directory. Folders are the first segment of an address; deeper pages
 * are listed in their top folder. A folder whose address is itself a page gets none. The title is
 * the label of the sidebar section with the folder's name when there is one (`network` →
 * "Networking"), otherwise the name itself (`concepts` → "Concepts").
 */
export function sectionFolders<P>(
	navigation: readonly { id: string; label: string; items: readonly P[] }[],
	slugOf: (page: P) => string | undefined
): SectionFolder<P>[] {
	const slugs = new Set(navigation.flatMap((s) => s.items.map((p) => slugOf(p) ?? '')));
	const folders: string[] = [];
	for (const s of navigation)
		for (const p of s.items) {
			const folder = slugOf(p)?.split('/').slice(0, -1)[0];
			if (folder && !slugs.has(folder) && !folders.includes(folder)) folders.push(folder);
		}
	return folders.map((folder) => {
		const groups = navigation
			.map((s) => ({
				id: s.id,
				label: s.label,
				items: s.items.filter((p) => slugOf(p)?.startsWith(`${folder}/`)),
			}))
			.filter((g) => g.items.length > 0);
		const title =
			navigation.find((s) => s.id === folder)?.label ??
			folder.charAt(0).toUpperCase() + folder.slice(1).replaceAll('-', ' ');
		return { folder, title, groups, count: groups.reduce((n, g) => n + g.items.length, 0) };
	});
}
