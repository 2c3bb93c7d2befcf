/**
 * The facts report: facts, evidence per upstream repository, references per page, and prose
 * that looks like an unbacked fact. Exits non-zero when a quote does not verify or an id is
 * unknown. `--vendor` first copies missing quoted files from the local git mirrors.
 * Usage: npm run facts [-- --vendor] [-- --candidates] (list every unbacked candidate)
 */
import { readFileSync } from 'node:fs';
import { checkFacts, loadFacts } from '../src/lib/facts.ts';
import {
	collectFactRefs,
	contentPages,
	factIdsOfFile,
	unknownFactRefs,
} from '../src/lib/fact-refs.ts';
import { calculatorFactRefs } from '../src/lib/calculator-facts.ts';
import { unbackedCandidates } from './lib/unbacked.ts';
import { vendorMissing } from './lib/vendor-files.ts';

const contentRoot = process.env['KB_CONTENT_ROOT'] ?? 'content';
const started = performance.now();
const cpuStart = process.cpuUsage();
const facts = loadFacts(`${contentRoot}/facts`);
if (process.argv.includes('--vendor'))
	for (const f of vendorMissing(facts)) console.log(`vendored ${f}`);

const { problems } = checkFacts(facts);
const refs = collectFactRefs(contentRoot, calculatorFactRefs);
const unknown = unknownFactRefs(
	refs,
	facts.map((f) => f.id)
);
const elapsed = performance.now() - started;
const cpu = process.cpuUsage(cpuStart);

const evidence = facts.flatMap((f) => f.evidence);
const perRepo = new Map<string, number>();
for (const e of evidence) perRepo.set(e.repo, (perRepo.get(e.repo) ?? 0) + 1);

console.log(`Facts: ${facts.length} in ${new Set(facts.map((f) => f.file)).size} files`);
console.log('\nEvidence per upstream repository:');
for (const [repo, n] of [...perRepo].sort((a, b) => b[1] - a[1])) console.log(`  ${n}\t${repo}`);

console.log('\nFacts stated per page (own references and embedded data):');
const pages = contentPages(contentRoot);
const said = new Map(facts.map((f) => [f.id, `${f.statement} ${f.value ?? ''}`]));
const candidates = pages.flatMap((p) =>
	unbackedCandidates(readFileSync(p, 'utf8'), p, (id) => said.get(id))
);
for (const page of pages) {
	const n = factIdsOfFile(page, refs, contentRoot).length;
	if (n > 0) console.log(`  ${n}\t${page}`);
}
const used = new Set(pages.flatMap((p) => factIdsOfFile(p, refs, contentRoot)));
const unused = facts.filter((f) => !used.has(f.id));
console.log(`  (${unused.length} facts are on the facts page only)`);

console.log('\nProse that looks like an unbacked fact, per page (kind: count):');
const byPage = new Map<string, Map<string, number>>();
for (const c of candidates) {
	const kinds = byPage.get(c.file) ?? new Map<string, number>();
	kinds.set(c.kind, (kinds.get(c.kind) ?? 0) + 1);
	byPage.set(c.file, kinds);
}
for (const [page, kinds] of [...byPage].sort()) {
	const list = [...kinds].map(([k, n]) => `${k}: ${n}`).join(', ');
	console.log(`  ${page}  ${list}`);
}
if (process.argv.includes('--candidates'))
	for (const c of candidates) console.log(`  ${c.file}:${c.line}  ${c.kind}  ${c.text}`);

for (const p of [...problems, ...unknown]) console.error(p);
console.log(
	`\nChecked in ${Math.round(elapsed)} ms, ${Math.round((cpu.user + cpu.system) / 1000)} ms of CPU (load, prove every quote, resolve every reference).`
);
console.log(
	`facts=${facts.length} evidence=${evidence.length} unverified=${problems.length + unknown.length} unbacked-candidates=${candidates.length}`
);
process.exit(problems.length + unknown.length > 0 ? 1 : 0);
