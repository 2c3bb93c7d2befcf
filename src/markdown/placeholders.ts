import type { Element, ElementContent } from 'hast';
import { textOf } from '../lib/hast-text.ts';
import { readPrefixed } from '../lib/url-state.ts';

/** A placeholder in a command: `<namespace>`, `<pod-name>`. */
export const placeholderPattern = /<([a-z][a-z0-9-]*)>/g;

/** Allowed values when a reader fills a placeholder: no spaces or shell metacharacters. */
export const placeholderValuePattern = /^[A-Za-z0-9][A-Za-z0-9._:/=@-]{0,252}$/;

/** Whether a value may replace a placeholder in a copied command. */
export function isSafeValue(value: string): boolean {
	return placeholderValuePattern.test(value);
}

/** Replaces every `<name>` in a command with the value given for it, leaving unknown ones. */
export function fillPlaceholders(command: string, values: Record<string, string>): string {
	return command.replace(placeholderPattern, (whole, name: string) => {
		const v = values[name];
		return v && isSafeValue(v) ? v : whole;
	});
}

/** Reads `ph.<name>=<value>` pairs from a query string; unsafe or unknown-shaped entries are dropped. */
export function placeholdersFromQuery(search: string): Record<string, string> {
	const out: Record<string, string> = {};
	for (const [name, value] of readPrefixed(search, 'ph.')) {
		if (/^[a-z][a-z0-9-]*$/.test(name) && isSafeValue(value)) out[name] = value;
	}
	return out;
}

/**
 * Wraps each `<name>` on a highlighted line in `<var class="ph" data-ph="name">`, even when the
 * highlighter split it across tokens. Returns the placeholder names found on the line.
 */
export function markPlaceholdersInLine(line: Element): string[] {
	const tokens = line.children;
	const full = tokens.map((t) => textOf(t)).join('');
	const matches = [...full.matchAll(placeholderPattern)].map((m) => ({
		start: m.index,
		end: m.index + m[0].length,
		name: m[1] ?? '',
		emitted: false,
	}));
	if (matches.length === 0) return [];
	const out: ElementContent[] = [];
	let offset = 0;
	for (const token of tokens) {
		const text = textOf(token);
		const start = offset;
		offset += text.length;
		let cursor = 0;
		while (cursor < text.length) {
			const pos = start + cursor;
			const inside = matches.find((m) => pos >= m.start && pos < m.end);
			if (inside) {
				if (!inside.emitted) {
					out.push({
						type: 'element',
						tagName: 'var',
						properties: { className: ['ph'], dataPh: inside.name },
						children: [{ type: 'text', value: `<${inside.name}>` }],
					});
					inside.emitted = true;
				}
				cursor = Math.min(text.length, inside.end - start);
				continue;
			}
			const next = matches.find((m) => m.start > pos);
			const stop = next ? Math.min(text.length, next.start - start) : text.length;
			const piece = text.slice(cursor, stop);
			out.push(
				token.type === 'element'
					? { ...token, children: [{ type: 'text', value: piece }] }
					: { type: 'text', value: piece }
			);
			cursor = stop;
		}
	}
	line.children = out;
	return matches.map((m) => m.name);
}
