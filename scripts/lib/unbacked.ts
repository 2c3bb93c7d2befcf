/**
 * Prose that looks like a fact but is not stated through the facts registry: a port number, a
 * `--flag`, an annotation or label key like `config.linkerd.io/proxy-cpu-request`, or an `x.y.z`
 * version or default. A lead for writers, not a proof: some hits are fine as they stand.
 */

export interface Candidate {
	file: string;
	line: number;
	kind: 'port' | 'flag' | 'key' | 'version';
	text: string;
}

const patterns: { kind: Candidate['kind']; re: RegExp }[] = [
	// A number called a port, or one of the well-known mesh port ranges. HTTP's own 80 and 443 and
	// the usual app port 8080 are the reader's traffic, not a mesh default.
	{
		kind: 'port',
		re: /\bports?\s+`?(?!(?:80|443|8080)\b)(\d{2,5})\b|\b(150\d\d|41[49]\d|9990|9995|999[6-9])\b/gi,
	},
	{ kind: 'flag', re: /(?<![\w/-])--[a-z][a-z0-9-]+/g },
	// domain/name keys; apiVersions (group/v1) and file paths are not keys.
	{ kind: 'key', re: /\b[a-z0-9-]+(?:\.[a-z0-9-]+)+\/(?!v\d)[A-Za-z0-9][\w.-]*/g },
	// A Linkerd edge release name (`edge-26.8.3`) names the release a claim is about; it is not a
	// value of its own (the claim's value, such as a Gateway API version, is still matched).
	{ kind: 'version', re: /(?<![\w.]|edge-)v?\d+\.\d+\.\d+(?!\w|\.\d)/g },
];

/** Inline code that is an istioctl, linkerd or helm command, as scripts/lib/cli-check.ts reads it. */
const inlineCommand = /(?<!`)`((?:istioctl|linkerd|helm)\s[^`]*)`(?!`)/g;

/**
 * Candidates in an MDX text: prose only (no frontmatter, imports, code fences, `<Fact>`, links).
 * `stated` gives a fact's statement and value by id: a `<Fact>` anywhere in the same paragraph
 * whose own words contain the candidate (the flag or key itself) backs it, however far apart.
 */
export function unbackedCandidates(
	text: string,
	file: string,
	stated: (id: string) => string | undefined = () => undefined
): Candidate[] {
	const out: Candidate[] = [];
	const body = text.replace(/^---\n[\s\S]*?\n---\n/, (fm) =>
		'\n'.repeat(fm.split('\n').length - 1)
	);
	let fence: string | undefined;
	const lines = body.split('\n');
	const factsOn = lines.map((l) => [...l.matchAll(/<Fact\b[^>]*\/>/g)].map((m) => m.index));
	// What the facts referenced in each paragraph (a run of non-blank lines) state.
	const paragraphOf: number[] = [];
	const saidIn: string[][] = [];
	lines.forEach((l, i) => {
		const para = i > 0 && lines[i - 1]?.trim() && l.trim() ? (paragraphOf[i - 1] as number) : i;
		paragraphOf.push(para);
		for (const m of l.matchAll(/<Fact\b[^>]*\bid="([^"]+)"/g)) {
			const said = stated(m[1] as string);
			if (said) (saidIn[para] ??= []).push(said);
		}
	});
	const statedNearby = (i: number, candidate: string) => {
		const word = new RegExp(
			`(?<![\\w-])${candidate.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w-])`
		);
		return (saidIn[paragraphOf[i] as number] ?? []).some((s) => word.test(s));
	};
	lines.forEach((raw, i) => {
		const open = raw.match(/^\s*(`{3,}|~{3,})/);
		if (open) {
			if (!fence) fence = open[1];
			else if (raw.trim().startsWith(fence)) fence = undefined;
			return;
		}
		// Component tags carry props (file names, ids), not prose; a line that opens with a
		// <Fact> is prose that goes on after it.
		if (fence || /^import\s/.test(raw) || /^\s*<(?!Fact\b)[A-Z]/.test(raw)) return;
		// Keep offsets: blank out what is not prose, and remember where facts stand.
		const blank = (m: string) => ' '.repeat(m.length);
		const facts = factsOn[i] ?? [];
		// A paragraph's soft line break is a space: a <Fact> that opens the next line follows too.
		const next = (factsOn[i + 1] ?? []).map((at) => raw.length + 1 + at);
		const line = raw
			.replace(/<Fact\b[^>]*\/>/g, blank)
			.replace(/\]\([^)]*\)/g, (m) => `]${blank(m.slice(1))}`)
			// URIs of any scheme (https://, spiffe://): their paths are not annotation keys.
			.replace(/\b[a-z][a-z0-9+.-]*:\/\/\S+/g, blank)
			// Flags of an inline istioctl/linkerd/helm command are proven by the CLI check against
			// the vendored command reference of the page's release; its other words stay prose.
			// (a line marked `cli-check: ignore` is not checked, so its flags stay candidates).
			.replace(inlineCommand, (m) =>
				raw.includes('cli-check: ignore') ? m : m.replace(/(?<![\w/-])--[a-z][a-z0-9-]+/g, blank)
			)
			.replace(/\{\/\*[\s\S]*?\*\/\}/g, blank);
		for (const { kind, re } of patterns)
			for (const m of line.matchAll(re)) {
				// A claim with a <Fact> right after it (show="source" or value) is backed.
				const end = m.index + m[0].length;
				if ([...facts, ...next].some((at) => at >= end && at - end <= 60)) continue;
				if (kind !== 'port' && statedNearby(i, m[0].trim())) continue;
				out.push({ file, line: i + 1, kind, text: m[0].trim() });
			}
	});
	return out;
}
