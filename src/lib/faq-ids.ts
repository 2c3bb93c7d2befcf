/** An FAQ entry as far as its anchors are concerned. */
export interface FaqAnchors {
	/** Source file, for messages. */
	file: string;
	id: string;
	aliases: string[];
}

/**
 * FAQ ids and aliases share one namespace (`/faq/#x` and `/faq/x/`): each may be claimed once.
 * Returns one message per clash, naming both files.
 */
export function findFaqIdClashes(entries: FaqAnchors[]): string[] {
	const owner = new Map<string, { file: string; as: string }>();
	const problems: string[] = [];
	for (const e of entries) {
		for (const [anchor, as] of [[e.id, 'id'], ...e.aliases.map((a) => [a, 'alias'])] as [
			string,
			string,
		][]) {
			const prev = owner.get(anchor);
			if (prev) {
				problems.push(
					`FAQ anchor "${anchor}" is claimed twice: as ${prev.as} in ${prev.file} and as ${as} in ${e.file}. Give one entry a different id.`
				);
			} else owner.set(anchor, { file: e.file, as });
		}
	}
	return problems;
}
