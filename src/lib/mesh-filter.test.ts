import { describe, expect, it } from 'vitest';
import { meshFilterFor } from './mesh-filter.ts';

describe('meshFilterFor', () => {
	it('marks a page about every mesh as "both", with two meshes or three', () => {
		expect(meshFilterFor(['istio', 'linkerd'], 2)).toEqual(['istio', 'linkerd', 'both']);
		expect(meshFilterFor(['istio', 'linkerd'], 3)).toEqual(['istio', 'linkerd']);
		expect(meshFilterFor(['istio', 'linkerd', 'cilium'], 3)).toEqual([
			'istio',
			'linkerd',
			'cilium',
			'both',
		]);
	});
	it('files a page about no mesh under "neither" and one mesh under itself', () => {
		expect(meshFilterFor([], 2)).toEqual(['neither']);
		expect(meshFilterFor(['linkerd'], 2)).toEqual(['linkerd']);
		expect(meshFilterFor(['istio'], 1)).toEqual(['istio']);
	});
});
