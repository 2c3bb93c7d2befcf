import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { rules } from './index.ts';
import { LINKERD_SEE } from './rules/structure.ts';

/** Every rule links to an answer or page section that exists, and cites facts that exist. */

const anchors = JSON.parse(readFileSync('content/anchors.json', 'utf8')) as Record<
	string,
	string[]
>;
const factIds = new Set(
	readdirSync('content/facts')
		.filter((f) => f.endsWith('.yaml'))
		.flatMap((f) =>
			(parse(readFileSync(`content/facts/${f}`, 'utf8')) as { id: string }[]).map((x) => x.id)
		)
);

describe('rule links and facts', () => {
	it.each(rules)('$id links to something that exists', ({ see }) => {
		const [path = '', fragment] = see.split('#');
		const answer = /^\/faq\/([a-z0-9-]+)\/$/.exec(path)?.[1];
		// The /doctor/ page itself is built by src/pages, not from content.
		if (path === '/doctor/') return expect(fragment).toBeUndefined();
		if (answer) expect(existsSync(`content/faq/${answer}.mdx`)).toBe(true);
		else expect(Object.keys(anchors)).toContain(path);
		if (fragment) expect(anchors[path] ?? []).toContain(fragment);
	});

	it.each(rules.filter((r) => r.facts))('$id cites facts of the registry', (rule) => {
		expect((rule as { facts?: string[] }).facts?.filter((f) => !factIds.has(f))).toEqual([]);
	});
});

describe('api-version-not-served links per Linkerd kind', () => {
	it.each(Object.entries(LINKERD_SEE))('%s links to %s, which exists', (_kind, see) => {
		const [path = '', fragment] = see.split('#');
		const answer = /^\/faq\/([a-z0-9-]+)\/$/.exec(path)?.[1];
		if (answer) expect(existsSync(`content/faq/${answer}.mdx`)).toBe(true);
		else expect(anchors[path] ?? []).toContain(fragment);
	});
});
