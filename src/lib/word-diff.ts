/** Browser-safe: shared by the history page (at build) and the revision notice (in the page). */
export interface DiffPart {
	type: 'same' | 'del' | 'ins';
	text: string;
}

/** A word-level diff (longest common subsequence over words and the spaces between them). */
export function wordDiff(before: string, after: string): DiffPart[] {
	const a = before.match(/\s+|[^\s]+/g) ?? [];
	const b = after.match(/\s+|[^\s]+/g) ?? [];
	const n = a.length;
	const m = b.length;
	const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
	for (let i = n - 1; i >= 0; i--)
		for (let j = m - 1; j >= 0; j--)
			(lcs[i] as Uint32Array)[j] =
				a[i] === b[j]
					? ((lcs[i + 1] as Uint32Array)[j + 1] ?? 0) + 1
					: Math.max((lcs[i + 1] as Uint32Array)[j] ?? 0, (lcs[i] as Uint32Array)[j + 1] ?? 0);
	const out: DiffPart[] = [];
	const push = (type: DiffPart['type'], text: string) => {
		const last = out[out.length - 1];
		if (last?.type === type) last.text += text;
		else out.push({ type, text });
	};
	let i = 0;
	let j = 0;
	while (i < n && j < m) {
		if (a[i] === b[j]) {
			push('same', a[i] ?? '');
			i++;
			j++;
		} else if (((lcs[i + 1] as Uint32Array)[j] ?? 0) >= ((lcs[i] as Uint32Array)[j + 1] ?? 0))
			push('del', a[i++] ?? '');
		else push('ins', b[j++] ?? '');
	}
	while (i < n) push('del', a[i++] ?? '');
	while (j < m) push('ins', b[j++] ?? '');
	return out;
}
