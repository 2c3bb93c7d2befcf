import { getCollection, type CollectionEntry } from 'astro:content';
import { contentRoot, siteConfig } from './site.config.ts';
import { findDanglingRefs } from './lib/references.ts';
import { findFaqIdClashes } from './lib/faq-ids.ts';
import { faqCategories, troubleshootingCategories } from './schemas/faq.ts';
import { existsSync } from 'node:fs';
import { historyFile, readHistory, type History } from './lib/faq-history.ts';
import { loadComparison, loadDecisionTree, loadMeshes } from './lib/content-files.ts';
import { meshFilterFor } from './lib/mesh-filter.ts';
import { factRegistry, type LoadedFact, type ProvenEvidence } from './lib/facts.ts';
import { collectFactRefs, factIdsOfFile, unknownFactRefs } from './lib/fact-refs.ts';
import { calculatorFactRefs } from './lib/calculator-facts.ts';

/**
 * The one module that queries content. Components import the arrays and helpers below and
 * never call `getCollection` themselves, so ordering and URLs are decided in one place.
 */

export type Page = CollectionEntry<'docs'>;
export type Mesh = CollectionEntry<'meshes'>;
export type GlossaryTerm = CollectionEntry<'glossary'>;
export type FaqEntry = CollectionEntry<'faq'>;

const sectionOrder = new Map(siteConfig.sections.map((s, i) => [s.id, i]));

function compare(a: Page, b: Page): number {
	const bySection =
		(sectionOrder.get(a.data.nav.section) ?? 0) - (sectionOrder.get(b.data.nav.section) ?? 0);
	return (
		bySection || a.data.nav.order - b.data.nav.order || a.data.title.localeCompare(b.data.title)
	);
}

/** Every page in reading order: by sidebar section, then `nav.order`. */
export const pages: Page[] = (await getCollection('docs')).sort(compare);

/** Every mesh, in the order of `content/data/meshes.yaml` (the collection keeps no order). */
const meshOrder = loadMeshes().map((m) => m.id);
export const meshes: Mesh[] = (await getCollection('meshes')).sort(
	(a, b) => meshOrder.indexOf(a.id) - meshOrder.indexOf(b.id)
);

/** Glossary entries, sorted by term. */
export const glossary: GlossaryTerm[] = (await getCollection('glossary')).sort((a, b) =>
	a.data.term.localeCompare(b.data.term, 'en', { sensitivity: 'base' })
);

/** FAQ entries in page order: by category, then `order`. */
export const faqEntries: FaqEntry[] = (await getCollection('faq')).sort(
	(a, b) =>
		faqCategories.indexOf(a.data.category) - faqCategories.indexOf(b.data.category) ||
		a.data.order - b.data.order
);

/** Display names of FAQ categories, in page order. */
export const faqCategoryLabels: Record<(typeof faqCategories)[number], string> = {
	basics: 'Basics',
	choosing: 'Choosing and buying',
	istio: 'Istio',
	linkerd: 'Linkerd',
	security: 'Security and certificates',
	operations: 'Running a mesh',
	'requests-fail': 'Requests fail',
	'tls-errors': 'Certificate and TLS errors',
	'pods-not-ready': 'Pods do not start or become ready',
	'checks-fail': 'Checks fail or configuration is rejected',
	'connections-drop': 'Connections drop, reset or time out',
	'config-ignored': 'Configuration has no effect',
	'install-fails': 'Install, upgrade or GitOps sync fails',
	'harmless-logs': 'Log lines that look alarming but are not',
};

const clashes = findFaqIdClashes(
	faqEntries.map((e) => ({ file: e.filePath ?? e.id, id: e.data.id, aliases: e.data.aliases }))
);
if (clashes.length > 0) throw new Error(clashes.join('\n'));

const dangling = findDanglingRefs(
	[...pages, ...faqEntries].flatMap((p) =>
		p.data.meshes.map((m, i) => ({ file: p.filePath ?? p.id, field: `meshes[${i}]`, id: m.id }))
	),
	meshes.map((m) => m.id),
	'content/data/meshes.yaml'
);
if (dangling.length > 0) throw new Error(`Unknown mesh id:\n${dangling.join('\n')}`);

/** Route parameter for a page: `undefined` for the home page. */
export function slugOf(page: Page): string | undefined {
	return page.id === 'index' ? undefined : page.id;
}

/** A site-relative URL with the configured base, e.g. `url('istio/install/')`. */
export function url(path = ''): string {
	return siteConfig.base + path.replace(/^\/+/, '');
}

/** URL of a page, honouring the base path. */
export function pageUrl(page: Page): string {
	const slug = slugOf(page);
	return url(slug ? `${slug}/` : '');
}

/** Absolute URL (for canonical and Open Graph tags). */
export function absoluteUrl(path: string): string {
	return new URL(path, siteConfig.site).href;
}

export interface NavSection {
	id: string;
	label: string;
	items: Page[];
}

/** Sidebar sections with their pages; empty sections are left out. */
export const navigation: NavSection[] = siteConfig.sections
	.map((s) => ({ ...s, items: pages.filter((p) => p.data.nav.section === s.id) }))
	.filter((s) => s.items.length > 0);

/** The pages before and after `page` in reading order. */
export function neighbours(page: Page): { prev: Page | undefined; next: Page | undefined } {
	const i = pages.findIndex((p) => p.id === page.id);
	return { prev: pages[i - 1], next: pages[i + 1] };
}

/** The decision tree (content/data/decision-tree.yaml), checked as a graph. */
export const decisionTree = loadDecisionTree(
	undefined,
	meshes.map((m) => m.id)
);

/** The comparison matrix (content/data/comparison.yaml). */
export const comparison = loadComparison();

/** URL of the FAQ page, or of one answer where it is listed (the FAQ or the troubleshooting page). */
export function faqUrl(id?: string): string {
	if (!id) return url('faq/');
	const entry = faqEntries.find((e) => e.data.id === id || e.data.aliases.includes(id));
	const listed =
		entry && troubleshootingCategories.includes(entry.data.category) ? 'troubleshooting/' : 'faq/';
	return url(`${listed}#${id}`);
}

/** URL of an answer's own page. */
export function faqAnswerUrl(id: string): string {
	return url(`faq/${id}/`);
}

/** Revision histories of answers, beside them in content/faq (see src/components/faq/faq-history.ts). */
const faqDir = `${contentRoot}/faq`;
export function historyOf(id: string): History {
	const path = historyFile(faqDir, id);
	if (!existsSync(path))
		throw new Error(`${id}: no revision history at ${path}. Run "npm run faq:revise -- ${id}".`);
	return readHistory(path);
}

/** Display names of the meshes a page is about. */
export function meshNames(page: Page | FaqEntry): string[] {
	return page.data.meshes.map((ref) => meshes.find((m) => m.id === ref.id)?.data.name ?? ref.id);
}

/** Every fact of `content/facts/`, with each quote proven against its vendored upstream file. */
const registry = factRegistry(`${contentRoot}/facts`);
export const facts: LoadedFact[] = registry.facts;
const factEvidence = registry.proven;

/** Every `<Fact>` and `facts:` reference of pages, answers and data; an unknown id stops the build. */
const factRefs = collectFactRefs(contentRoot, calculatorFactRefs);
const unknownFacts = unknownFactRefs(
	factRefs,
	facts.map((f) => f.id)
);
if (unknownFacts.length > 0) throw new Error(`Unknown fact id:\n${unknownFacts.join('\n')}`);

/** A fact and its checked evidence; an unknown id stops the build and says where ids live. */
export function factById(id: string): { fact: LoadedFact; evidence: ProvenEvidence[] } {
	const fact = facts.find((f) => f.id === id);
	if (!fact)
		throw new Error(
			`Unknown fact id "${id}": no entry of content/facts/*.yaml has it. Add the fact there (with its evidence) or fix the id.`
		);
	return { fact, evidence: factEvidence.get(id) ?? [] };
}

/** Search filter values for a page or answer about these meshes (see `meshFilterFor`). */
export const meshFilterValues = (ids: readonly string[]) => meshFilterFor(ids, meshes.length);

const idsByFile = new Map<string, string[]>();

/** The facts a page or answer states, its own and those of the data components it embeds. */
export function factsOf(entry: Page | FaqEntry): LoadedFact[] {
	const file = entry.filePath;
	if (!file) return [];
	let ids = idsByFile.get(file);
	if (!ids) idsByFile.set(file, (ids = factIdsOfFile(file, factRefs, contentRoot)));
	return ids.map((id) => factById(id).fact);
}

/** Where a fact is stated: the pages and answers (URL and title) that state it. */
export function pagesOfFact(id: string): { url: string; title: string }[] {
	return [
		...pages
			.filter((p) => factsOf(p).some((f) => f.id === id))
			.map((p) => ({ url: pageUrl(p), title: p.data.title })),
		...faqEntries
			.filter((e) => factsOf(e).some((f) => f.id === id))
			.map((e) => ({ url: faqAnswerUrl(e.data.id), title: e.data.question })),
	];
}
