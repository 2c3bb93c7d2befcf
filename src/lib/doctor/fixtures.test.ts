import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkText, rules } from './index.ts';

/**
 * The fixture corpus: every manifest in fixtures/bad starts with `# expect: <rule-id>...` and
 * gives exactly those rules; every manifest in fixtures/clean starts with `# near: <rule-id>...`,
 * the rules it comes close to, and gives no finding at all.
 */

const dir = (kind: string) => join(import.meta.dirname, 'fixtures', kind);
const read = (kind: string) =>
	readdirSync(dir(kind))
		.filter((f) => f.endsWith('.yaml'))
		.sort()
		.map((f) => ({ file: f, text: readFileSync(join(dir(kind), f), 'utf8') }));

const bad = read('bad').map((b) => ({
	...b,
	expected: (/^# expect: (.+)$/m.exec(b.text)?.[1] ?? '').split(/\s+/).filter(Boolean),
}));
const clean = read('clean').map((c) => ({
	...c,
	near: (/^# near: (.+)$/m.exec(c.text)?.[1] ?? '').split(/\s+/).filter(Boolean),
}));

describe('fixtures', () => {
	it('holds at least 60 bad and 60 clean manifests; every rule has a bad one and a clean near miss', () => {
		expect(bad.length).toBeGreaterThanOrEqual(60);
		expect(clean.length).toBeGreaterThanOrEqual(60);
		const covered = new Set(bad.flatMap((b) => b.expected));
		expect(rules.map((r) => r.id).filter((id) => !covered.has(id))).toEqual([]);
		const near = new Set(clean.flatMap((c) => c.near));
		expect(rules.map((r) => r.id).filter((id) => !near.has(id))).toEqual([]);
		expect([...near].filter((id) => !rules.some((r) => r.id === id))).toEqual([]);
	});

	it.each(bad)('bad/$file gives exactly the rules it expects', ({ text, expected }) => {
		expect(expected.length).toBeGreaterThan(0);
		const found = [...new Set(checkText(text).map((f) => f.rule))].sort();
		expect(found).toEqual([...new Set(expected)].sort());
	});

	it.each(clean)('clean/$file gives no finding', ({ text }) => {
		expect(checkText(text)).toEqual([]);
	});
});
