import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseAnnotated } from './annotated-yaml.ts';
import { loadComparison, loadDecisionTree, loadGlossary, loadMeshes } from './content-files.ts';
import { readFrontmatter } from './frontmatter.ts';
import { calculate, defaults, formatCpu, formatMiB } from '../components/calculator/overhead.ts';
import { troubleshootingCategories } from '../schemas/faq.ts';
import { factRegistry } from './facts.ts';
import { factTopics } from '../schemas/fact.ts';
import { factSubjectNames, factTopicLabels, holdsText } from './fact-labels.ts';

/**
 * The Markdown twin of a page or answer, built from the same MDX source: component markup
 * becomes plain Markdown (manifests as YAML blocks with their notes as a numbered list after
 * them, tabs as one block per mesh, data components as lists and tables, diagrams as their text
 * alternative), code fences keep their language, placeholders stay as written, and site links
 * become absolute so the text still works once pasted into a ticket, a chat or an assistant.
 */

export interface TwinContext {
	/** Absolute URL of the site root, base path included, ending in "/". */
	siteUrl: string;
	/** Where content lives (`content` unless KB_CONTENT_ROOT says otherwise). */
	contentRoot?: string;
}

type Props = Record<string, string>;
type Renderer = (props: Props, ctx: TwinContext) => string;

const root = (ctx: TwinContext) => ctx.contentRoot ?? 'content';

/** A manifest as a YAML block, annotations taken out and listed as numbered notes after it. */
export function manifestMarkdown(file: string, ctx: TwinContext, heading?: string): string {
	const { clean, notes } = parseAnnotated(readFileSync(join(root(ctx), 'manifests', file), 'utf8'));
	const title = heading ? `**${heading}** (\`${file}\`)\n\n` : `\`${file}\`\n\n`;
	const list = notes.map((n) => `${n.n}. Line ${n.line}: ${n.text}`).join('\n');
	return `${title}\`\`\`yaml\n${clean.trimEnd()}\n\`\`\`${list ? `\n\n${list}` : ''}`;
}

/** The text alternative a diagram component carries (its SVG description, else its caption). */
export function diagramText(component: string): string {
	const source = readFileSync(`src/components/diagrams/${component}.astro`, 'utf8');
	const pick = (re: RegExp) =>
		source
			.match(re)?.[1]
			?.replace(/<[^>]+>/g, '')
			.replace(/\s+/g, ' ')
			.trim();
	// Diagrams in a DiagramFrame pass their description as a prop; others write <desc> or a caption.
	const text =
		pick(/\sdesc="([^"]*)"/) ??
		pick(/<desc[^>]*>([\s\S]*?)<\/desc>/) ??
		pick(/<figcaption>([\s\S]*?)<\/figcaption>/);
	if (!text)
		throw new Error(
			`${component} has no description (a desc prop, <desc> or <figcaption>) to use as Markdown`
		);
	return `*Diagram: ${text}*`;
}

/** Faq answers in a content tree, in page order, read from their frontmatter. */
export function faqAnswers(
	contentRoot = 'content'
): { id: string; question: string; summary: string; category: string; order: number }[] {
	const dir = join(contentRoot, 'faq');
	return readdirSync(dir)
		.filter((f) => f.endsWith('.mdx') && !f.startsWith('_'))
		.map((f) => {
			const fm = readFrontmatter(readFileSync(join(dir, f), 'utf8'));
			return {
				id: String(fm['id']),
				question: String(fm['question']),
				summary: String(fm['summary']),
				category: String(fm['category']),
				order: Number(fm['order'] ?? 0),
			};
		});
}

const link = (text: string, href: string) => `[${text.replace(/([[\]])/g, '\\$1')}](${href})`;
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** Markdown for every component the site's MDX uses; a component missing here fails the tests. */
export const components: Record<string, Renderer> = {
	Manifest: (p, ctx) => manifestMarkdown(p['file'] ?? '', ctx),
	MeshTabs: (p, ctx) =>
		[
			p['task'] ? `${p['task']}, for each mesh:` : '',
			...loadMeshes(join(root(ctx), 'data/meshes.yaml'))
				.filter((m) => p[m.id])
				.map((m) => manifestMarkdown(p[m.id] ?? '', ctx, m.name)),
		]
			.filter(Boolean)
			.join('\n\n'),
	JobCards: (p, ctx) =>
		[...(p['jobs'] ?? '').matchAll(/href:\s*'([^']*)',\s*title:\s*'([^']*)',\s*text:\s*'([^']*)'/g)]
			.map((m) => `- ${link(m[2] ?? '', ctx.siteUrl + (m[1] ?? ''))}: ${m[3] ?? ''}`)
			.join('\n'),
	GlossaryList: (_p, ctx) =>
		loadGlossary(join(root(ctx), 'data/glossary.yaml'))
			.map((g) => `- **${g.term}**: ${g.definition}`)
			.join('\n'),
	FaqList: (p, ctx) => {
		const troubleshooting = (p['categories'] ?? '').includes('troubleshooting');
		const ts: readonly string[] = troubleshootingCategories;
		return faqAnswers(root(ctx))
			.filter((a) => ts.includes(a.category) === troubleshooting)
			.map((a) => `- ${link(a.question, `${ctx.siteUrl}faq/${a.id}/`)}: ${a.summary}`)
			.join('\n');
	},
	DecisionTree: (_p, ctx) => {
		const tree = loadDecisionTree(join(root(ctx), 'data/decision-tree.yaml'));
		const name = new Map([
			...tree.questions.map((q) => [q.id, q.text] as const),
			...tree.outcomes.map((o) => [o.id, `Recommendation: ${o.title}`] as const),
		]);
		const questions = tree.questions.map(
			(q) =>
				`**${q.text}**${q.help ? ` ${q.help}` : ''}\n\n` +
				q.answers
					.map((a) => `- ${a.label}: ${a.because} Next: ${name.get(a.next) ?? a.next}`)
					.join('\n')
		);
		const outcomes = tree.outcomes.map((o) => `**${o.title}.** ${o.summary} ${o.rationale}`);
		return [...questions, ...outcomes].join('\n\n');
	},
	ComparisonMatrix: (_p, ctx) => {
		const meshes = loadMeshes(join(root(ctx), 'data/meshes.yaml'));
		const c = loadComparison(
			join(root(ctx), 'data/comparison.yaml'),
			meshes.map((m) => m.id)
		);
		const columns = ['Feature', ...meshes.map((m) => m.name), 'Neither'];
		const head = `| ${columns.join(' | ')} |\n|${' --- |'.repeat(columns.length)}`;
		const text = (v?: {
			value: string;
			note?: string | undefined;
			facts?: string[] | undefined;
		}) =>
			v
				? cell(
						`${v.value}. ${v.note ?? ''}${(v.facts ?? []).map((id) => sourceLinks(ctx, id)).join('')}`
					)
				: '';
		const row = (r: (typeof c.rows)[number]) =>
			`| ${[
				cell(r.feature),
				...meshes.map((m) => (r.cells[m.id] ? text(r.cells[m.id]) : 'Not compared yet')),
				text(r.neither),
			].join(' | ')} |`;
		return c.categories
			.map(
				(cat) =>
					`**${cat.label}**\n\n${head}\n${c.rows
						.filter((r) => r.category === cat.id)
						.map(row)
						.join('\n')}`
			)
			.join('\n\n');
	},
	OverheadCalculator: () =>
		'For the defaults (100 pods, 10 nodes, 3 waypoints; control plane included):\n\n' +
		'| Option | Expected memory usage | Memory reserved by requests | CPU reserved by requests |\n| --- | --- | --- | --- |\n' +
		calculate(defaults)
			.map(
				(r) =>
					`| ${r.label} | ${formatMiB(r.usage)} | ${formatMiB(r.requests)} | ${formatCpu(r.cpu)} |`
			)
			.join('\n'),
	// Inline, so mdxToMarkdown replaces it inside lines first; listed for a line that starts with one.
	Fact: (p, ctx) => factMarkdown(p, ctx, 'page'),
	FactsList: (_p, ctx) => factsListMarkdown(ctx),
	AmbientPath: () => diagramText('AmbientPath'),
	SidecarVsAmbient: () => diagramText('SidecarVsAmbient'),
	MigrationPhases: () => diagramText('MigrationPhases'),
};

/** Attributes of a JSX element: `name="value"` and `name={expression}` (the expression's text). */
export function jsxProps(attrs: string): Props {
	const props: Props = {};
	for (const m of attrs.matchAll(/(\w+)=(?:"([^"]*)"|\{((?:[^{}]|\{(?:[^{}]|\{[^{}]*\})*\})*)\})/g))
		props[m[1] ?? ''] = m[2] ?? m[3] ?? '';
	return props;
}

/** The facts registry with its proven evidence (read once per build, shared with the pages). */
function factRegistryOf(ctx: TwinContext) {
	const { facts, proven } = factRegistry(join(root(ctx), 'facts'));
	return { facts, evidence: proven };
}

const sourceLinks = (ctx: TwinContext, id: string) =>
	(factRegistryOf(ctx).evidence.get(id) ?? []).map((e) => ` ([source](${e.url}))`).join('');

/** An inline `<Fact id="..." />` as its text with the evidence link, as the page shows it. */
export function factMarkdown(props: Props, ctx: TwinContext, file: string): string {
	const id = props['id'] ?? '';
	const fact = factRegistryOf(ctx).facts.find((f) => f.id === id);
	if (!fact)
		throw new Error(
			`${file}: unknown fact id "${id}"; add it to ${join(root(ctx), 'facts')}/*.yaml or fix the id`
		);
	const show = props['show'];
	const text =
		show === 'source' ? '' : show === 'value' ? `\`${fact.value ?? ''}\`` : fact.statement;
	return (text.replace(/\s+/g, ' ').trim() + sourceLinks(ctx, id)).trim();
}

/** The facts page: every fact by topic, with its value, releases and evidence. */
export function factsListMarkdown(ctx: TwinContext): string {
	const { facts, evidence } = factRegistryOf(ctx);
	return factTopics
		.filter((t) => facts.some((f) => f.topic === t))
		.map((t) => {
			const items = facts
				.filter((f) => f.topic === t)
				.map((f) => {
					const value = f.value !== undefined ? ` Value: \`${f.value}\`.` : '';
					const holds = f.holds ? ` Holds for ${holdsText(f.holds)}.` : '';
					const links = (evidence.get(f.id) ?? [])
						.map((e) => link(`${e.repo} ${e.ref}: ${e.path}, line ${e.line}`, e.url))
						.join('; ');
					return `- **${f.statement.replace(/\s+/g, ' ').trim()}** (\`#${f.id}\`, ${factSubjectNames[f.mesh]})${value}${holds} Evidence: ${links}`;
				});
			return `### ${factTopicLabels[t]}\n\n${items.join('\n')}`;
		})
		.join('\n\n');
}

/** MDX body to clean Markdown. Unknown components are an error, so nothing leaks as markup. */
export function mdxToMarkdown(body: string, ctx: TwinContext, file = 'page'): string {
	const out: string[] = [];
	const lines = body.replace(/\r\n/g, '\n').split('\n');
	let fence: string | undefined;
	for (let i = 0; i < lines.length; i++) {
		let line = lines[i] ?? '';
		const open = line.match(/^(\s*)(`{3,}|~{3,})(\w*)(.*)$/);
		if (open && !fence) {
			fence = open[2];
			out.push(`${open[1] ?? ''}${open[2] ?? ''}${open[3] ?? ''}`);
			continue;
		}
		if (fence) {
			if (line.trim().startsWith(fence)) fence = undefined;
			out.push(line);
			continue;
		}
		if (/^import\s.+from\s/.test(line)) continue;
		// Facts stand inline, in sentences and table cells, so they are replaced before block components.
		line = line.replace(/<Fact\b([^>]*?)\/>/g, (_m, attrs: string) =>
			factMarkdown(jsxProps(attrs), ctx, file)
		);
		const el = line.match(/^<([A-Z]\w*)\b(.*)$/);
		if (el) {
			let tag = line;
			while (!/\/>\s*$/.test(tag) && i + 1 < lines.length) tag += `\n${lines[++i] ?? ''}`;
			const name = el[1] ?? '';
			const render = components[name];
			if (!render)
				throw new Error(
					`${file}: no Markdown rendering for <${name}>; add one to src/lib/markdown-twin.ts`
				);
			out.push(render(jsxProps(tag.replace(/^<\w+/, '').replace(/\/>\s*$/, '')), ctx));
			continue;
		}
		line = line.replace(/\s*\{\/\*\s*#[\w-]+\s*\*\/\}/g, '').replace(/\{\/\*[\s\S]*?\*\/\}/g, '');
		// Site links become absolute, so they work wherever the Markdown is pasted.
		line = line.replace(/\]\(\/([^)\s]*)\)/g, (_m, path: string) => `](${ctx.siteUrl}${path})`);
		out.push(line);
	}
	return out
		.join('\n')
		.replace(/\n{3,}/g, '\n\n')
		.trim();
}

export interface TwinMeta {
	title: string;
	description: string;
	/** Absolute URL of the page on the site. */
	url: string;
	verified: string;
	sources: { title: string; url: string; vendor?: boolean | undefined }[];
	/** Extra lines under the title, such as an answer's revision. */
	extra?: string[];
}

/** The whole twin: title, summary, where it lives, the version stamp, the body and the sources. */
export function twin(meta: TwinMeta, body: string): string {
	const sources = meta.sources
		.map((s) => `- ${link(s.title, s.url)}${s.vendor ? ' (vendor figures)' : ''}`)
		.join('\n');
	return [
		`# ${meta.title}`,
		`> ${meta.description}`,
		[`On the site: ${meta.url}`, meta.verified, ...(meta.extra ?? [])].join('  \n'),
		body,
		sources ? `## Sources\n\n${sources}` : '',
	]
		.filter(Boolean)
		.join('\n\n')
		.concat('\n');
}

/** A page's MDX source without its frontmatter. */
export function bodyOf(source: string): string {
	return source.replace(/^---\r?\n[\s\S]*?\r?\n---\r?\n?/, '');
}

export function contentFile(contentRoot: string, path: string): string | undefined {
	const file = join(contentRoot, path);
	return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}
