import { readFileSync } from 'node:fs';
import { siteConfig } from '../src/site.config.ts';
import { cliLink, runDoctor, usage, type CliInput } from './lib/doctor-cli.ts';

/** `npm run doctor -- <file>...`: the config doctor of the site's /doctor/ page, in a terminal or CI. */
const args = process.argv.slice(2);
if (args.length === 0 || args.includes('--help') || args.includes('-h')) {
	console.error(usage);
	process.exit(args.length === 0 ? 2 : 0);
}

const inputs: CliInput[] = [];
for (const arg of args) {
	try {
		inputs.push({
			name: arg === '-' ? '<stdin>' : arg,
			text: readFileSync(arg === '-' ? 0 : arg, 'utf8'),
		});
	} catch (e) {
		console.error(
			`${arg}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); give a path to a YAML file, or - for standard input`
		);
		process.exit(2);
	}
}

const { lines, code } = runDoctor(inputs, cliLink(siteConfig.site, siteConfig.base));
console.log(lines.join('\n'));
process.exit(code);
