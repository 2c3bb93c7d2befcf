import { render } from 'astro:content';
import { loadRenderers } from 'astro:container';
import { experimental_AstroContainer as AstroContainer } from 'astro/container';
import { getContainerRenderer } from '@astrojs/mdx/container-renderer';
import { linkerdLabel, siteConfig } from '../site.config';
import {
	absoluteUrl,
	faqAnswerUrl,
	faqEntries,
	historyOf,
	meshNames,
	navigation,
	pageUrl,
	slugOf,
	url,
	type FaqEntry,
	type Page,
} from '../content';
import { appliesTo, stampText, formatDate } from './format';
import { htmlToMarkdown, twin } from './markdown-twin';
import { troubleshootingCategories } from '../schemas/faq';
import { sectionFolders } from './section-folders';

/**
 * Markdown twins of pages and answers, and the llms.txt index of them. A twin's body is the
 * entry's content as the page renders it (Astro's container renders the same `<Content />`),
 * converted to Markdown; each entry is rendered once per build, however many files include it.
 */

const siteUrl = absoluteUrl(url());
let container: Promise<AstroContainer> | undefined;
const bodies = new Map<string, Promise<string>>();

function body(entry: Page | FaqEntry, pageUrl: string): Promise<string> {
	const key = `${entry.collection}/${entry.id}`;
	let md = bodies.get(key);
	if (!md) {
		md = (async () => {
			container ??= (async () =>
				AstroContainer.create({ renderers: await loadRenderers([getContainerRenderer()]) }))();
			const { Content } = await render(entry);
			const html = await (await container).renderToString(Content);
			return htmlToMarkdown(html, { siteUrl, pageUrl });
		})();
		bodies.set(key, md);
	}
	return md;
}
const stamp = (v: Page['data']['verified']) => stampText(v, linkerdLabel(v.linkerd));

/** Site-relative URL of a page's Markdown twin: `/istio/install.md`, `/index.md`. */
export function pageMarkdownUrl(page: Page): string {
	return url(`${slugOf(page) ?? 'index'}.md`);
}

/** Site-relative URL of an answer's Markdown twin: `/faq/<id>.md`. */
export function answerMarkdownUrl(id: string): string {
	return url(`faq/${id}.md`);
}

export async function pageMarkdown(page: Page): Promise<string> {
	const address = absoluteUrl(pageUrl(page));
	return twin(
		{
			title: page.data.title,
			description: page.data.description,
			url: address,
			applies: appliesTo(meshNames(page)),
			verified: stamp(page.data.verified),
			sources: page.data.sources,
		},
		await body(page, address)
	);
}

export async function answerMarkdown(entry: FaqEntry): Promise<string> {
	const { id, question, summary, verified, sources } = entry.data;
	const revisions = historyOf(id).revisions;
	const latest = revisions[revisions.length - 1];
	const page = absoluteUrl(faqAnswerUrl(id));
	return twin(
		{
			title: question,
			description: summary,
			url: `${page}?rev=${revisions.length}`,
			applies: appliesTo(meshNames(entry)),
			verified: stamp(verified),
			sources,
			extra: latest
				? [`Revision ${latest.rev}, ${formatDate(latest.date)}. History: ${page}history/`]
				: [],
		},
		await body(entry, page)
	);
}

/** The llms.txt index: every page and answer with a one-line description, grouped like the sidebar. */
export function llmsTxt(): string {
	const line = (title: string, href: string, text: string) =>
		`- [${title.replace(/([[\]])/g, '\\$1')}](${absoluteUrl(href)}): ${text}`;
	const sections = navigation.map(
		(s) =>
			`## ${s.label}\n\n${s.items.map((p) => line(p.data.title, pageMarkdownUrl(p), p.data.description)).join('\n')}`
	);
	const answers = (ts: boolean) =>
		faqEntries
			.filter((e) => troubleshootingCategories.includes(e.data.category) === ts)
			.map((e) => line(e.data.question, answerMarkdownUrl(e.data.id), e.data.summary))
			.join('\n');
	return [
		`# ${siteConfig.title}`,
		`> ${siteConfig.tagline}`,
		`Every page and answer below links to its Markdown version. Verified against Istio ${siteConfig.versions.istio.join(' and ')} and Linkerd ${siteConfig.versions.linkerd.join(', ')} (${siteConfig.versions.linkerdEdge}); each page states its own check date. The whole guide in one file: ${absoluteUrl(url('llms-full.txt'))}`,
		...sections,
		`## FAQ answers\n\n${answers(false)}`,
		`## Troubleshooting answers\n\n${answers(true)}`,
		`## Section indexes\n\n${sectionFolders(navigation, slugOf)
			.map((f) => line(f.title, url(`${f.folder}.md`), `The pages under ${url(`${f.folder}/`)}.`))
			.join('\n')}`,
	]
		.join('\n\n')
		.concat('\n');
}

/** The whole guide in one file: every page, then every answer. */
export async function llmsFullTxt(): Promise<string> {
	const pages = await Promise.all(navigation.flatMap((s) => s.items).map(pageMarkdown));
	const answers = await Promise.all(faqEntries.map(answerMarkdown));
	return [`# ${siteConfig.title}: the whole guide`, `> ${siteConfig.tagline}`, ...pages, ...answers]
		.join('\n\n---\n\n')
		.concat('\n');
}
