import { describe, expect, it } from 'vitest';
import githubLight from '@shikijs/themes/github-light-default';
import githubDark from '@shikijs/themes/github-dark-default';
import { codeToHtml } from 'shiki';
import {
	classesForStyle,
	codeBackgrounds,
	codeColorsCss,
	contrast,
	ensureContrast,
	themePalette,
	transformerCodeColors,
} from './code-colors.ts';

describe('code colours as classes', () => {
	it('turns dual-theme token styles into classes', () => {
		expect(
			classesForStyle('--shiki-light:#CF222E;--shiki-dark:#FF7B72;--shiki-light-font-style:italic')
		).toEqual(['cl-cf222e', 'cd-ff7b72', 'fl-i']);
	});

	it('leaves no inline style in highlighted code, and every class has a rule', async () => {
		const html = await codeToHtml('kubectl get pods -n "<namespace>" # list\napiVersion: v1', {
			lang: 'bash',
			themes: { light: githubLight, dark: githubDark },
			defaultColor: false,
			transformers: [transformerCodeColors()],
		});
		expect(html).not.toContain('style=');
		const css = codeColorsCss(githubLight, githubDark);
		const used = [...html.matchAll(/\b(c[ld]-[0-9a-f]+)\b/g)].map((m) => m[1]);
		expect(used.length).toBeGreaterThan(3);
		for (const cls of used) expect(css).toContain(`.${cls}{`);
	});

	it('lifts every token colour to WCAG AA contrast on the code background', () => {
		const css = codeColorsCss(githubLight, githubDark);
		for (const [, cls, hex] of css.matchAll(/\.(c[ld])-[0-9a-f]+\{--hl-[ld]:#([0-9a-f]{6})\}/g)) {
			const bg = cls === 'cl' ? codeBackgrounds.light : codeBackgrounds.dark;
			expect(contrast(hex ?? '', bg), `${hex} on ${bg}`).toBeGreaterThanOrEqual(4.5);
		}
		expect(contrast('6e7781', 'f6f8fa')).toBeLessThan(4.5);
		expect(ensureContrast('6e7781', 'f6f8fa')).not.toBe('6e7781');
		expect(ensureContrast('000000', 'ffffff')).toBe('000000');
	});

	it('collects each palette from the theme', () => {
		expect(themePalette(githubLight).size).toBeGreaterThan(8);
		expect(themePalette({ tokenColors: [{ settings: { foreground: '#ABC' } }] })).toEqual(
			new Set(['abc'])
		);
	});
});
