import { checkLinks } from './lib/linkcheck.ts';
import { normaliseBase } from '../src/site.config.ts';

/** Usage: npm run linkcheck [-- DIST_DIR]. Uses SITE_BASE like the build does. */
const dist = process.argv[2] ?? 'dist';
const base = normaliseBase(process.env['SITE_BASE']);
const broken = checkLinks(dist, base);
for (const b of broken) console.error(`${b.page}: ${b.target} — ${b.problem}`);
console.log(
	`${broken.length === 0 ? 'ok' : 'FAILED'}: ${broken.length} broken internal link(s) in ${dist} (base ${base})`
);
process.exit(broken.length === 0 ? 0 : 1);
