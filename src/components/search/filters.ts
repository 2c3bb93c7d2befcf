/** One filter per mesh in content/data/meshes.yaml, plus pages about all of them or none. */
export function meshFilters(meshes: readonly { id: string; name: string }[]) {
	return [
		...meshes.map((m) => ({ value: m.id, label: m.name })),
		{ value: 'both', label: meshes.length === 2 ? 'Both' : 'All' },
		{ value: 'neither', label: 'Neither' },
	];
}
