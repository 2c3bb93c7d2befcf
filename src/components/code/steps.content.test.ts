import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { listFiles } from '../../lib/dist-files.ts';
import { shellLangs } from '../../lib/hast-text.ts';

/**
 * The structure the "Copy all steps" button needs, checked on the guide's own pages (the e2e tests
 * check what the button does, on whatever steps a page has).
 */
const docs = listFiles('content/docs')
	.filter((f) => f.endsWith('.mdx'))
	.map((f) => ({ file: `content/docs/${f}`, text: readFileSync(`content/docs/${f}`, 'utf8') }));

/** Each fenced block's language and meta, with the nearest heading above it (h2 to h4). */
function fences(text: string) {
	const out: { lang: string; step: boolean; heading: string; line: number }[] = [];
	let heading = '';
	let open = false;
	text.split('\n').forEach((line, i) => {
		const fence = /^\s*```(\w*)(.*)$/.exec(line);
		if (fence) {
			if (!open) {
				const lang = fence[1] ?? '';
				const meta = ` ${fence[2] ?? ''} `;
				out.push({
					lang,
					step: / step /.test(meta) && !/ output /.test(meta),
					heading,
					line: i + 1,
				});
			}
			open = !open;
		} else if (!open && /^#{2,4} /.test(line)) heading = line.replace(/^#+ /, '');
	});
	return out;
}

describe('step blocks on the guide pages', () => {
	it('every install guide offers "Copy all steps": two or more shell steps', () => {
		const guides = docs.filter((d) => /\/install\.mdx$/.test(d.file));
		expect(guides.length).toBeGreaterThan(0);
		const short = guides
			.map((g) => ({
				file: g.file,
				steps: fences(g.text).filter((f) => f.step && shellLangs.has(f.lang)).length,
			}))
			.filter((g) => g.steps < 2)
			.map((g) => `${g.file}: ${g.steps} shell blocks marked step (the button needs 2)`);
		expect(short).toEqual([]);
	});

	it('every step is a shell block under a heading, which names it in the script', () => {
		const bad = docs.flatMap((d) =>
			fences(d.text)
				.filter((f) => f.step && (!shellLangs.has(f.lang) || !f.heading))
				.map(
					(f) =>
						`${d.file}:${f.line}: a ${f.lang || 'plain'} block marked step${f.heading ? '' : ' before any heading'}; mark only shell commands under an h2-h4`
				)
		);
		expect(bad).toEqual([]);
	});
});
