import { describe, expect, it } from 'vitest';
import { checkText, rules } from './index.ts';

describe('checkText', () => {
	it('reports YAML it cannot read, with the document and line', () => {
		const text = 'apiVersion: v1\nkind: Service\n---\napiVersion: v1\nkind: [Service\n';
		const [f, ...rest] = checkText(text);
		expect(rest).toEqual([]);
		expect(f).toMatchObject({ doc: 2, severity: 'error', rule: 'yaml-syntax' });
		expect(f?.line).toBeGreaterThanOrEqual(5);
	});

	it('finds nothing in an empty text', () => {
		expect(checkText('')).toEqual([]);
	});

	it('lists every rule once with a link', () => {
		const ids = rules.map((r) => r.id);
		expect(new Set(ids).size).toBe(ids.length);
		for (const r of rules) expect(r.see).toMatch(/^\/[a-z0-9/-]*\/(#[a-z0-9-]+)?$/);
	});
});
