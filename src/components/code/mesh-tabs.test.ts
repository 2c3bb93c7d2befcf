import { describe, expect, test } from 'vitest';
import { openingMesh } from './mesh-tabs';

describe('the mesh a tab group opens on', () => {
	const group = ['istio', 'linkerd'];

	test("a link's choice wins, then the reader's, then the first tab", () => {
		expect(openingMesh(group, 'linkerd', 'istio')).toBe('linkerd');
		expect(openingMesh(group, null, 'linkerd')).toBe('linkerd');
		expect(openingMesh(group, null, null)).toBe('istio');
	});

	test('a choice the group has no tab for is passed over', () => {
		expect(openingMesh(group, 'cilium', 'linkerd')).toBe('linkerd');
		expect(openingMesh(group, 'cilium', 'cilium')).toBe('istio');
		expect(openingMesh(['linkerd', 'cilium'], null, 'cilium')).toBe('cilium');
		expect(openingMesh([], 'istio', null)).toBe('');
	});
});
