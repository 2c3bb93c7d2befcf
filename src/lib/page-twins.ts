import { readFileSync } from 'node:fs';
import { linkerdLabel, siteConfig } from '../site.config';
import {
	absoluteUrl,
	faqAnswerUrl,
	faqEntries,
	historyOf,
	navigation,
	pageUrl,
	slugOf,
	url,
	type FaqEntry,
	type Page,
} from '../content';
import { stampText, formatDate } from './format';
import { bodyOf, mdxToMarkdown, twin, type TwinContext } from './markdown-twin';
import { troubleshootingCategories } from '../schemas/faq';
import { sectionFolders } from './section-folders';

/** Markdown twins of pages and answers, and the llms.txt index of them. */

const ctx: TwinContext = {
	siteUrl: absoluteUrl(url()),
	contentRoot: process.env['KB_CONTENT_ROOT'] ?? 'content',
};
const stamp = (v: Page['data']['verified']) => stampText(v, linkerdLabel(v.linkerd));

/** Site-relative URL of a page's Markdown twin: `/istio/install.md`, `/index.md`. */
export function pageMarkdownUrl(page: Page): string {
	return url(`${slugOf(page) ?? 'index'}.md`);
}

/** Site-relative URL of an answer's Markdown twin: `/faq/<id>.md`. */
export function answerMarkdownUrl(id: string): string {
	return url(`faq/${id}.md`);
}

export function pageMarkdown(page: Page): string {
	const source = readFileSync(page.filePath ?? '', 'utf8');
	return twin(
		{
			title: page.data.title,
			description: page.data.description,
			url: absoluteUrl(pageUrl(page)),
			verified: stamp(page.data.verified),
			sources: page.data.sources,
		},
		mdxToMarkdown(bodyOf(source), ctx, page.filePath)
	);
}

export function answerMarkdown(entry: FaqEntry): string {
	const source = readFileSync(entry.filePath ?? '', 'utf8');
	const { id, question, summary, verified, sources } = entry.data;
	const revisions = historyOf(id).revisions;
	const latest = revisions[revisions.length - 1];
	const page = absoluteUrl(faqAnswerUrl(id));
	return twin(
		{
			title: question,
			description: summary,
			url: `${page}?rev=${revisions.length}`,
			verified: stamp(verified),
			sources,
			extra: latest
				? [`Revision ${latest.rev}, ${formatDate(latest.date)}. History: ${page}history/`]
				: [],
		},
		mdxToMarkdown(bodyOf(source), ctx, entry.filePath)
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
export function llmsFullTxt(): string {
	const pages = navigation.flatMap((s) => s.items).map(pageMarkdown);
	const answers = faqEntries.map(answerMarkdown);
	return [`# ${siteConfig.title}: the whole guide`, `> ${siteConfig.tagline}`, ...pages, ...answers]
		.join('\n\n---\n\n')
		.concat('\n');
}
