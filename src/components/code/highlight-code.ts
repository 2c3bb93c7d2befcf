import { createHighlighter, type Highlighter } from 'shiki';
import type { Root } from 'hast';
import githubLight from '@shikijs/themes/github-light-default';
import githubDark from '@shikijs/themes/github-dark-default';
import { transformerCodeColors } from '../../markdown/code-colors.ts';

let highlighter: Promise<Highlighter> | undefined;

/**
 * Highlights code outside Markdown (manifest files) exactly like fenced blocks: same themes,
 * colours as classes, no inline styles.
 */
export async function highlightToHast(code: string, lang: string): Promise<Root> {
	highlighter ??= createHighlighter({ themes: [githubLight, githubDark], langs: ['yaml', 'bash'] });
	const h = await highlighter;
	return h.codeToHast(code, {
		lang,
		themes: { light: githubLight, dark: githubDark },
		defaultColor: false,
		transformers: [
			transformerCodeColors(),
			{
				pre(node) {
					node.properties['class'] = 'astro-code';
					node.properties['dataLanguage'] = lang;
				},
			},
		],
	});
}
