import { describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadFacts, locateQuote, proveFacts } from './facts.ts';

const file = [
	'package retry',
	'',
	'var (',
	'\tdefaultNumRetries = 2',
	'\tdefaultRetryOn    = "connect-failure,refused-stream"',
	')',
].join('\n');

describe('locateQuote', () => {
	it('finds a quote with other whitespace and returns its lines', () => {
		expect(locateQuote(file, 'defaultNumRetries = 2')).toEqual({
			found: true,
			line: 4,
			endLine: 4,
		});
		expect(
			locateQuote(file, 'defaultNumRetries = 2\n defaultRetryOn = "connect-failure,refused-stream"')
		).toEqual({
			found: true,
			line: 4,
			endLine: 5,
		});
	});
	it('names the closest line when one character differs', () => {
		const m = locateQuote(file, 'defaultNumRetries = 3');
		expect(m).toEqual({ found: false, closest: { line: 4, text: 'defaultNumRetries = 2' } });
	});
});

function tree(facts: string, vendored: Record<string, string>) {
	const root = mkdtempSync(join(tmpdir(), 'facts-'));
	mkdirSync(join(root, 'facts'));
	writeFileSync(join(root, 'facts', 'a.yaml'), facts);
	for (const [path, text] of Object.entries(vendored)) {
		mkdirSync(join(root, 'vendor', path, '..'), { recursive: true });
		writeFileSync(join(root, 'vendor', path), text);
	}
	return root;
}

const fact = (quote: string) => `- id: retries
  topic: traffic
  mesh: istio
  statement: Istio retries twice by default.
  evidence:
    - repo: istio/istio
      ref: 1.31.0
      path: retry.go
      quote: '${quote}'
`;

describe('proveFacts', () => {
	it('links a proven quote to its line at the tag', () => {
		const root = tree(fact('defaultNumRetries = 2'), { 'istio/istio/1.31.0/retry.go': file });
		const proven = proveFacts(loadFacts(join(root, 'facts')), join(root, 'vendor'));
		expect(proven.get('retries')?.[0]?.url).toBe(
			'https://github.com/istio/istio/blob/1.31.0/retry.go#L4'
		);
	});
	it('fails on a changed character, naming the fact, its file and the closest line', () => {
		const root = tree(fact('defaultNumRetries = 3'), { 'istio/istio/1.31.0/retry.go': file });
		expect(() => proveFacts(loadFacts(join(root, 'facts')), join(root, 'vendor'))).toThrow(
			/a\.yaml:1: fact "retries": quote not found in .*retry\.go.*Closest line 4: defaultNumRetries = 2/
		);
	});
	it('fails when the quoted file is not vendored', () => {
		const root = tree(fact('x = 1'), {});
		expect(() => proveFacts(loadFacts(join(root, 'facts')), join(root, 'vendor'))).toThrow(
			/not vendored/
		);
	});
	it("keeps a merged fact's former id as an alias, and refuses an alias that is another fact's id", () => {
		const merged = fact('defaultNumRetries = 2').replace(
			'- id: retries\n',
			'- id: retries\n  aliases: [old-retries]\n'
		);
		expect(loadFacts(join(tree(merged, {}), 'facts'))[0]?.aliases).toEqual(['old-retries']);
		const clash = merged + fact('x = 1').replace('- id: retries', '- id: old-retries');
		expect(() => loadFacts(join(tree(clash, {}), 'facts'))).toThrow(
			/a\.yaml:\d+: fact id or alias "old-retries" is already used at .*a\.yaml:1/
		);
	});
	it('rejects a fact without evidence, naming the file, line and field', () => {
		const root = tree(
			'- id: x\n  topic: traffic\n  mesh: istio\n  statement: A fact with no evidence.\n  evidence: []\n',
			{}
		);
		expect(() => loadFacts(join(root, 'facts'))).toThrow(
			/a\.yaml:1: fact is invalid:\n {2}evidence: a fact needs/
		);
	});
});
