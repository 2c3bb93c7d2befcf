import type { Element, ElementContent, Root } from 'hast';
import type { VFile } from 'vfile';
import { visit } from 'unist-util-visit';
import { parseMeta } from './code-meta.ts';
import { shellLangs, textOf } from '../lib/hast-text.ts';
import { markPlaceholdersInLine } from './placeholders.ts';

const labels: Record<string, string> = {
	bash: 'Shell',
	sh: 'Shell',
	shell: 'Shell',
	yaml: 'YAML',
	json: 'JSON',
	text: 'Text',
	plaintext: 'Text',
};

function hasClass(node: Element, cls: string): boolean {
	const c = node.properties['className'] ?? node.properties['class'];
	const list = Array.isArray(c) ? c.map(String) : typeof c === 'string' ? c.split(/\s+/) : [];
	return list.includes(cls);
}

const el = (
	tagName: string,
	properties: Element['properties'],
	children: ElementContent[] = []
): Element => ({
	type: 'element',
	tagName,
	properties,
	children,
});

/** What the Markdown pipeline learned about a page's code blocks, exposed as frontmatter. */
export interface CodeBlockSummary {
	/** Placeholder names used in the page's commands, in order of first use. */
	placeholders: string[];
	/** Number of blocks marked `step`. */
	steps: number;
	/** Number of code blocks; pages without any skip the copy-button script. */
	blocks: number;
}

/**
 * Turns each highlighted block into a labelled frame with a copy button. Fence meta decides the
 * role: `output` blocks are shown apart and never copied; `step` blocks join "copy all steps"
 * under the heading they follow. Placeholders in shell commands become fillable `<var>`s.
 */
export function rehypeCodeBlocks() {
	return (tree: Root, file: VFile) => {
		let heading = '';
		const placeholders: string[] = [];
		let steps = 0;
		let blocks = 0;
		visit(tree, 'element', (node, index, parent) => {
			if (/^h[2-4]$/.test(node.tagName)) {
				heading = textOf(node).trim();
				return;
			}
			if (node.tagName !== 'pre' || !hasClass(node, 'astro-code') || !parent || index === undefined)
				return;
			const lang = String(node.properties['dataLanguage'] ?? 'text');
			const { flags, title } = parseMeta(node.properties['dataMeta']);
			delete node.properties['dataMeta'];
			const output = flags.has('output');
			const step = flags.has('step') && !output;
			if (shellLangs.has(lang) && !output) {
				const code = node.children.find(
					(c): c is Element => c.type === 'element' && c.tagName === 'code'
				);
				for (const line of code?.children ?? []) {
					if (line.type !== 'element') continue;
					for (const name of markPlaceholdersInLine(line))
						if (!placeholders.includes(name)) placeholders.push(name);
				}
			}
			// Keyboard users must be able to scroll long lines; the label names the region.
			delete node.properties['tabindex'];
			node.properties['tabIndex'] = 0;
			const label = output ? 'Output' : (title ?? labels[lang] ?? lang.toUpperCase());
			node.properties['ariaLabel'] = `${label} code`;
			// The Markdown twin's fence already names the language, so only a title or "Output" stays.
			const head = el(
				'div',
				{ className: ['code-head'], ...(output || title ? {} : { dataTwin: 'skip' }) },
				[el('span', { className: ['code-label'] }, [{ type: 'text', value: label }])]
			);
			if (!output) {
				head.children.push(
					el('button', { type: 'button', className: ['copy-btn'], dataPagefindIgnore: '' }, [
						el('span', { className: ['copy-label'] }, [{ type: 'text', value: 'Copy' }]),
						el('span', { className: ['sr-only'] }, [
							{ type: 'text', value: ` ${label.toLowerCase()} code` },
						]),
					])
				);
			}
			if (step) steps++;
			blocks++;
			const wrapper = el(
				'kb-code',
				{
					className: ['code-block', output ? 'is-output' : 'is-code'],
					dataLang: lang,
					...(step ? { dataStepTitle: heading } : {}),
				},
				[head, node]
			);
			parent.children[index] = wrapper;
			return 'skip';
		});
		const data = (file.data['astro'] ??= {}) as { frontmatter?: Record<string, unknown> };
		data.frontmatter ??= {};
		const summary: CodeBlockSummary = { placeholders, steps, blocks };
		data.frontmatter['codeBlocks'] = summary;
	};
}
