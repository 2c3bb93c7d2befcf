import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkRegistry, collectAnchors, registryOf, type Registry } from './lib/anchors.ts';
import { normaliseBase } from '../src/site.config.ts';

/**
 * Checks the built site against the committed anchor registry (content/anchors.json), or with
 * --update rewrites the registry from the build. Run after `npm run build`.
 */
const registryFile = 'content/anchors.json';
const dist = process.argv.find((a, i) => i > 1 && !a.startsWith('--')) ?? 'dist';
const base = normaliseBase(process.env['SITE_BASE']);
const current = collectAnchors(dist, base);

if (process.argv.includes('--update')) {
	writeFileSync(registryFile, `${JSON.stringify(registryOf(current), null, '\t')}\n`);
	const count = Object.values(current).reduce((n, p) => n + p.anchors.length, 0);
	console.log(`wrote ${registryFile}: ${count} anchors on ${Object.keys(current).length} pages`);
	process.exit(0);
}

const registry = JSON.parse(readFileSync(registryFile, 'utf8')) as Registry;
const problems = checkRegistry(registry, current, (path) =>
	existsSync(join(dist, path.slice(1), 'index.html'))
);
for (const p of problems) console.error(p);
const count = Object.values(registry).reduce((n, a) => n + a.length, 0);
console.log(
	`${problems.length === 0 ? 'ok' : 'FAILED'}: ${count} registered anchors checked, ${problems.length} problem(s)`
);
process.exit(problems.length === 0 ? 0 : 1);
