import { describe, expect, it } from 'vitest';
import {
	collectFactRefs,
	factIdsOfFile,
	refsInMdx,
	refsInSource,
	refsInYaml,
	unknownFactRefs,
} from './fact-refs.ts';

const fixture = 'src/lib/fixtures/fact-refs';
const ids = ['istio-default-retry-attempts', 'istio-default-retry-on'];

describe('fact references', () => {
	it('finds <Fact> ids in MDX with their lines, skipping code fences', () => {
		expect(
			refsInMdx(
				'a\n<Fact id="x" />\n```\n<Fact id="y" />\n```\nb <Fact show="value" id=\'z\' />',
				'p.mdx'
			)
		).toEqual([
			{ id: 'x', file: 'p.mdx', line: 2 },
			{ id: 'z', file: 'p.mdx', line: 6 },
		]);
	});
	it('finds facts: lists in YAML, flow and block style, with their lines', () => {
		const yaml = 'rows:\n  - a: { facts: [one, two] }\n  - b:\n      facts:\n        - three\n';
		expect(refsInYaml(yaml, 'd.yaml')).toEqual([
			{ id: 'one', file: 'd.yaml', line: 2 },
			{ id: 'two', file: 'd.yaml', line: 2 },
			{ id: 'three', file: 'd.yaml', line: 5 },
		]);
	});
	it('finds the line of each id of a source map', () => {
		const text = "export const f = {\n\ta: ['one'],\n\tb: ['two'],\n};";
		expect(refsInSource(text, 'o.ts', { a: ['one'], b: ['two'] }).map((r) => r.line)).toEqual([
			2, 3,
		]);
	});
	it('fails an unknown id in a page or a data file, naming the file, the line and the closest id', () => {
		const problems = unknownFactRefs(collectFactRefs(fixture), ids);
		expect(problems).toEqual([
			expect.stringMatching(
				/^src\/lib\/fixtures\/fact-refs\/docs\/unknown-fact\.mdx:13: unknown fact id "istio-default-retry-atempts" \(did you mean "istio-default-retry-attempts"\?\)/
			),
			expect.stringMatching(
				/^src\/lib\/fixtures\/fact-refs\/data\/comparison\.yaml:3: unknown fact id "no-such-fact"\./
			),
		]);
	});
	it('counts the facts of the data components a page embeds', () => {
		const refs = [
			{ id: 'a', file: 'c/docs/p.mdx', line: 1 },
			{ id: 'b', file: 'c/data/comparison.yaml', line: 1 },
			{ id: 'c', file: 'c/data/glossary.yaml', line: 1 },
		];
		expect(
			factIdsOfFile('c/docs/p.mdx', refs, 'c', '<Fact id="a" />\n<ComparisonMatrix />')
		).toEqual(['a', 'b']);
	});
});
