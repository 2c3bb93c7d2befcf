import type { Element, ElementContent, Root, RootContent } from 'hast';
import rehypeParse from 'rehype-parse';
import rehypeRemark from 'rehype-remark';
import remarkGfm from 'remark-gfm';
import remarkStringify from 'remark-stringify';
import { unified } from 'unified';
import { textOf } from './hast-text.ts';

/**
 * The Markdown twin of a page or answer, converted from the HTML the page renders, so a
 * component needs no Markdown code of its own: what it renders is what the twin says. A component
 * whose Markdown should differ from its HTML says so with attributes on its own markup:
 *
 * - `data-twin="skip"`: not in the twin (controls, permalinks, callout numbers, labels the
 *   Markdown already conveys).
 * - `data-twin="inline"`: only its content is kept (a glossary link becomes its words).
 * - `data-twin-text="…"`: the element is replaced by this text (a diagram by its description).
 * - `data-twin-before="…"`, `data-twin-after="…"`: text added at the start or end of its content
 *   (a note's line number, a separator the page draws with layout).
 * - `data-twin-href="…"`: where a link points in the twin (an answer's own page, not its place in
 *   a list).
 *
 * The twin is the page as read without scripts or styles, so everything else follows from HTML:
 * buttons, form fields, scripts, styles, SVG drawings, `aria-hidden` decoration, `hidden` and
 * `.js-only` parts are left out; a heading's link to itself becomes its text; a table's caption
 * becomes the paragraph before it, and a table whose row groups have their own heading row becomes
 * one table per group, headed by that label. Code blocks keep their language (`data-language` on
 * the `<pre>`, as Shiki writes it) and their text as written, placeholders included. Site links
 * become absolute so the Markdown still works once pasted into a ticket, a chat or an assistant.
 */

export interface TwinContext {
	/** Absolute URL of the site root, base path included, ending in "/". */
	siteUrl: string;
	/** Absolute URL of the page the HTML comes from: `#fragment` links resolve against it. */
	pageUrl?: string;
}

const dropped = new Set(['button', 'input', 'select', 'textarea', 'script', 'style', 'template']);

const prop = (node: Element, name: string): string | undefined => {
	const v = node.properties[name];
	return v === undefined || v === null || v === false ? undefined : String(v);
};

const text = (value: string): ElementContent => ({ type: 'text', value });

const isElement = (c: ElementContent | RootContent, tagName?: string): c is Element =>
	c.type === 'element' && (tagName === undefined || c.tagName === tagName);

const classes = (node: Element): string[] => {
	const c = node.properties['className'];
	return Array.isArray(c) ? c.map(String) : [];
};

const el = (tagName: string, children: ElementContent[]): Element => ({
	type: 'element',
	tagName,
	properties: {},
	children,
});

/** A table with labelled row groups (`<th scope="rowgroup">`) as one table per group. */
function splitRowGroups(table: Element): Element[] | undefined {
	const head = table.children.find((c) => isElement(c, 'thead'));
	const bodies = table.children.filter((c): c is Element => isElement(c, 'tbody'));
	const groups = bodies.map((body) => {
		const rows = body.children.filter((c): c is Element => isElement(c, 'tr'));
		const cells = rows[0]?.children.filter((c): c is Element => isElement(c)) ?? [];
		const label = cells.length === 1 && prop(cells[0] as Element, 'scope') === 'rowgroup';
		return label ? { label: cells[0] as Element, rows: rows.slice(1) } : undefined;
	});
	if (!head || groups.length === 0 || groups.some((g) => g === undefined)) return undefined;
	return groups.flatMap((g) => [
		el('p', [el('strong', g?.label.children ?? [])]),
		{ ...table, children: [head, el('tbody', g?.rows ?? [])] },
	]);
}

/** Rewrites one element's children for the twin; returns what stands in its parent instead. */
function rewrite(node: Element, ctx: TwinContext): ElementContent[] {
	const mode = prop(node, 'dataTwin');
	const replacement = prop(node, 'dataTwinText');
	if (replacement !== undefined) return replacement ? [text(replacement)] : [];
	if (
		mode === 'skip' ||
		dropped.has(node.tagName) ||
		node.tagName === 'svg' ||
		prop(node, 'ariaHidden') === 'true' ||
		prop(node, 'hidden') !== undefined ||
		classes(node).includes('js-only')
	)
		return [];
	if (node.tagName === 'pre') {
		// One text node instead of a span per token: the code's text is all the twin keeps, and
		// converting thousands of highlight spans is most of a page's conversion time.
		const code = node.children.find((c): c is Element => isElement(c, 'code'));
		const lang = prop(node, 'dataLanguage');
		const value = textOf(code ?? node, (e) => prop(e, 'dataTwin') === 'skip');
		// hast-util-to-mdast reads a block's language from its <code>'s `language-*` class.
		const className = lang ? [`language-${lang}`] : [];
		return [el('pre', [{ ...el('code', [text(value)]), properties: { className } }])];
	}
	const id = prop(node, 'id');
	if (/^h[1-6]$/.test(node.tagName) && id)
		node.children = node.children.flatMap((c) =>
			isElement(c, 'a') && prop(c, 'href') === `#${id}` ? c.children : [c]
		);
	node.children = node.children.flatMap((c) => (c.type === 'element' ? rewrite(c, ctx) : [c]));
	const before = prop(node, 'dataTwinBefore');
	const after = prop(node, 'dataTwinAfter');
	if (before) node.children.unshift(text(before));
	if (after) node.children.push(text(after));
	if (node.tagName === 'a') {
		const href = prop(node, 'dataTwinHref') ?? prop(node, 'href');
		if (href) node.properties['href'] = new URL(href, ctx.pageUrl ?? ctx.siteUrl).href;
	}
	if (node.tagName === 'table') {
		const caption = node.children.find((c): c is Element => isElement(c, 'caption'));
		node.children = node.children.filter((c) => c !== caption);
		return [...(caption ? [el('p', caption.children)] : []), ...(splitRowGroups(node) ?? [node])];
	}
	return mode === 'inline' ? node.children : [node];
}

/** The rehype step of the twin: applies the rules above to the rendered HTML. */
export function rehypeTwin(ctx: TwinContext) {
	return (tree: Root) => {
		tree.children = tree.children.flatMap((c): RootContent[] =>
			c.type === 'element' ? rewrite(c, ctx) : [c]
		);
	};
}

/** Rendered HTML (a fragment: an entry's content) to clean Markdown. */
export function htmlToMarkdown(html: string, ctx: TwinContext): string {
	const file = unified()
		.use(rehypeParse, { fragment: true })
		.use(rehypeTwin, ctx)
		.use(rehypeRemark)
		.use(remarkGfm, { tablePipeAlign: false })
		.use(remarkStringify, {
			bullet: '-',
			emphasis: '*',
			fences: true,
			listItemIndent: 'one',
			rule: '-',
		})
		.processSync(html);
	return String(file).trim();
}

export interface TwinMeta {
	title: string;
	description: string;
	/** Absolute URL of the page on the site. */
	url: string;
	/** Which meshes it is about, as the page's footer says it: "Applies to Istio and Linkerd." */
	applies?: string;
	verified: string;
	sources: { title: string; url: string; vendor?: boolean | undefined }[];
	/** Extra lines under the title, such as an answer's revision. */
	extra?: string[];
}

const link = (text: string, href: string) => `[${text.replace(/([[\]])/g, '\\$1')}](${href})`;

/** The whole twin: title, summary, where it lives, its meshes, the version stamp, the body and the sources. */
export function twin(meta: TwinMeta, body: string): string {
	const sources = meta.sources
		.map((s) => `- ${link(s.title, s.url)}${s.vendor ? ' (vendor figures)' : ''}`)
		.join('\n');
	return [
		`# ${meta.title}`,
		`> ${meta.description}`,
		[`On the site: ${meta.url}`, meta.applies, meta.verified, ...(meta.extra ?? [])]
			.filter(Boolean)
			.join('  \n'),
		body,
		sources ? `## Sources\n\n${sources}` : '',
	]
		.filter(Boolean)
		.join('\n\n')
		.concat('\n');
}
