import { describe, expect, it } from 'vitest';
import { loadMeshes } from '../lib/content-files.ts';
import { contrast } from '../markdown/code-colors.ts';
import { meshColoursCss } from './mesh-colours.ts';

describe('mesh colours', () => {
	it('give every mesh in meshes.yaml a colour readable on the page in both themes', () => {
		for (const m of loadMeshes()) {
			expect(m.colour, m.id).toBeDefined();
			expect(
				contrast((m.colour?.light ?? '').slice(1), 'ffffff'),
				`${m.id} light`
			).toBeGreaterThanOrEqual(4.5);
			expect(
				contrast((m.colour?.dark ?? '').slice(1), '0d1117'),
				`${m.id} dark`
			).toBeGreaterThanOrEqual(4.5);
		}
	});

	it('become tokens and data-mesh marks, and a mesh without a colour gets neither', () => {
		const base = { homepage: 'https://x.io/', proxyLanguage: 'Go', summary: 's' };
		const css = meshColoursCss([
			{
				...base,
				id: 'istio',
				name: 'Istio',
				cncfGraduated: new Date(),
				colour: { light: '#2a5bb8', dark: '#8fb4ff' },
			},
			{ ...base, id: 'cilium', name: 'Cilium', cncfGraduated: new Date() },
		]);
		expect(css).toContain('--kb-istio: light-dark(#2a5bb8, #8fb4ff);');
		expect(css).toContain("[data-mesh='istio'] { --kb-mesh: var(--kb-istio); }");
		expect(css).not.toContain('cilium');
	});
});
