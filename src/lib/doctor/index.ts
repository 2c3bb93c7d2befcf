import { parseDocs } from './parse.ts';
import { allRules } from './rules/index.ts';
import type { Finding, RuleInfo } from './types.ts';
import { lineOf, pathText } from './yaml-lines.ts';

export type { Finding, RuleInfo, Severity } from './types.ts';

/** The rule that reports YAML the parser cannot read; it runs before every other rule. */
const syntaxRule: RuleInfo = {
	id: 'yaml-syntax',
	severity: 'error',
	meshes: ['kubernetes'],
	releases: ['any'],
	title: 'The text is not valid YAML',
	see: '/doctor/',
};

/** Every rule the doctor runs, with the meshes and releases it holds for. */
export const rules: RuleInfo[] = [syntaxRule, ...allRules].map(
	({ id, severity, meshes, releases, title, see, facts }) => ({
		id,
		severity,
		meshes,
		releases,
		title,
		see,
		...(facts ? { facts } : {}),
	})
);

/**
 * Checks one or more YAML documents (separated by `---`) against the CRD schemas and the
 * site's rules. Pure and synchronous; runs the same in the browser and in Node.
 */
export function checkText(text: string): Finding[] {
	const { docs, problems } = parseDocs(text);
	const findings: Finding[] = problems.map((p) => ({
		doc: p.doc,
		line: p.line,
		severity: 'error',
		rule: syntaxRule.id,
		message: `The YAML cannot be read (${p.message}), so nothing in this document was checked.`,
		see: syntaxRule.see,
	}));
	const paste = { docs };
	for (const doc of docs) {
		for (const rule of allRules) {
			for (const hit of rule.check(doc, paste)) {
				const at = hit.at ?? [];
				const path = pathText(hit.key ? [...at, hit.key] : at);
				findings.push({
					doc: doc.index,
					line: hit.at ? lineOf(doc.yaml.contents, at, doc.counter, hit.key) : doc.line,
					severity: hit.severity ?? rule.severity,
					rule: rule.id,
					message: hit.message,
					...(path ? { path } : {}),
					see: hit.see ?? rule.see,
				});
			}
		}
	}
	return findings.sort((a, b) => a.line - b.line || a.rule.localeCompare(b.rule));
}
