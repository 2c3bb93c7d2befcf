import type { ShikiTransformer } from 'shiki';
import type { Element } from 'hast';

/**
 * Shiki writes token colours as inline `style` attributes. A strict Content-Security-Policy
 * (no 'unsafe-inline' for styles) blocks those, so this module turns every colour into a
 * class and generates the matching stylesheet from the two themes' palettes.
 */

interface ThemeLike {
	colors?: Record<string, string>;
	tokenColors?: { settings?: { foreground?: string } }[];
}

type Mode = 'l' | 'd';

const fontStyleClass: Record<string, string> = { italic: 'i', bold: 'b', underline: 'u' };

/** Lower-case hex without '#', or undefined for anything that is not a plain hex colour. */
function hex(value: string | undefined): string | undefined {
	const m = value?.trim().match(/^#([0-9a-f]{3,8})$/i);
	return m?.[1]?.toLowerCase();
}

/** Every foreground colour a theme can give a token. */
export function themePalette(theme: ThemeLike): Set<string> {
	const out = new Set<string>();
	const fg = hex(theme.colors?.['editor.foreground']);
	if (fg) out.add(fg);
	for (const rule of theme.tokenColors ?? []) {
		const c = hex(rule.settings?.foreground);
		if (c) out.add(c);
	}
	return out;
}

/** Class names for one `style` attribute of a dual-theme token (`--shiki-light:#abc;…`). */
export function classesForStyle(style: string): string[] {
	const classes: string[] = [];
	for (const decl of style.split(';')) {
		const [prop, value] = decl.split(':').map((s) => s.trim());
		if (!prop || !value) continue;
		const m = prop.match(/^--shiki-(light|dark)(-font-style|-font-weight|-text-decoration)?$/);
		if (!m) continue;
		const mode: Mode = m[1] === 'light' ? 'l' : 'd';
		if (!m[2]) {
			const c = hex(value);
			if (c) classes.push(`c${mode}-${c}`);
		} else {
			for (const word of value.split(/\s+/)) {
				const f = fontStyleClass[word];
				if (f && mode === 'l') classes.push(`f${mode}-${f}`);
			}
		}
	}
	return classes;
}

/** Shiki transformer that replaces inline colour styles with the classes above. */
export function transformerCodeColors(): ShikiTransformer {
	const strip = (node: Element) => {
		const style = node.properties['style'];
		if (typeof style !== 'string') return;
		delete node.properties['style'];
		for (const c of classesForStyle(style)) addClass(node, c);
	};
	return {
		name: 'kb:code-colors',
		pre(node) {
			delete node.properties['style'];
		},
		span(node) {
			strip(node);
		},
	};
}

// Shiki's hast keeps classes as a space-separated `class` string, not hast's `className` array.
function addClass(node: Element, cls: string) {
	const current = node.properties['class'];
	node.properties['class'] = typeof current === 'string' && current ? `${current} ${cls}` : cls;
}

function channels(hexColor: string): [number, number, number] {
	const h = hexColor.length === 3 ? [...hexColor].map((c) => c + c).join('') : hexColor.slice(0, 6);
	return [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16)) as [number, number, number];
}

function luminance(rgb: [number, number, number]): number {
	const [r, g, b] = rgb.map((v) => {
		const s = v / 255;
		return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
	}) as [number, number, number];
	return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG contrast ratio of two hex colours (without '#'). */
export function contrast(a: string, b: string): number {
	const [x, y] = [luminance(channels(a)), luminance(channels(b))].sort((p, q) => q - p) as [
		number,
		number,
	];
	return (x + 0.05) / (y + 0.05);
}

/**
 * The theme colour, moved towards black or white in small steps until it reaches `ratio`
 * against the code background: some theme greys (comments) sit just under WCAG AA.
 */
export function ensureContrast(color: string, background: string, ratio = 4.5): string {
	const towards = luminance(channels(background)) > 0.5 ? 0 : 255;
	let rgb = channels(color);
	const hexOf = (c: [number, number, number]) =>
		c.map((v) => v.toString(16).padStart(2, '0')).join('');
	for (let i = 0; i < 40 && contrast(hexOf(rgb), background) < ratio; i++) {
		rgb = rgb.map((v) => Math.round(v + (towards - v) * 0.06)) as [number, number, number];
	}
	return hexOf(rgb);
}

/** Backgrounds of code blocks in each theme (tokens.css --kb-bg-code); colours must contrast with them. */
export const codeBackgrounds = { light: 'f6f8fa', dark: '161b22' };

/** Stylesheet giving each palette class its colour, light by default and dark under the dark theme. */
export function codeColorsCss(light: ThemeLike, dark: ThemeLike): string {
	const rules: string[] = [];
	for (const c of themePalette(light))
		rules.push(`.cl-${c}{--hl-l:#${ensureContrast(c, codeBackgrounds.light)}}`);
	for (const c of themePalette(dark))
		rules.push(`.cd-${c}{--hl-d:#${ensureContrast(c, codeBackgrounds.dark)}}`);
	// Both themes style the same scopes, so the light theme's font styles serve both.
	rules.push('.fl-i{font-style:italic}.fl-b{font-weight:700}');
	return `@layer components{${rules.join('')}}`;
}
