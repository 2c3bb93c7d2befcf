import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * Fixture sites: a small content tree taken from `content/`, changed the way a contributor would
 * change it, and built with the site's own code (KB_CONTENT_ROOT). Starlight tests its features
 * on fixture sites the same way; a fixture stays in step with the real content because it is
 * copied from it at test time.
 */

export interface FixtureSite {
	/** The content tree, relative to the repository: test-results/fixtures/<name>/content. */
	root: string;
	/** The built site. */
	dist: string;
	/** What `astro build` printed, colour codes removed. */
	output: string;
	status: number | null;
}

export interface FixtureSpec {
	name: string;
	/** Pages under content/docs/ and answers under content/faq/ (without .mdx) to include. */
	docs: string[];
	faq: string[];
	/** Called with the fixture's content root after the copy, to make the change under test. */
	change: (root: string) => void;
}

const repo = resolve(import.meta.dirname, '../..');

/**
 * Writes the fixture's content tree under test-results/fixtures/<name>/content and returns its
 * path relative to the repository (what KB_CONTENT_ROOT takes). The data, facts and manifests are
 * copied whole (pages refer to them), then only the named pages and answers. MDX imports
 * components by relative path from `content/docs/…`; in the copy they point at the repository's
 * `src/` by absolute path instead.
 */
export function fixtureContent(spec: FixtureSpec): string {
	const base = join(repo, 'test-results', 'fixtures', spec.name);
	const root = join(base, 'content');
	rmSync(base, { recursive: true, force: true });
	for (const dir of ['data', 'facts', 'manifests'])
		cpSync(join(repo, 'content', dir), join(root, dir), { recursive: true });
	const copy = (from: string, to: string) => {
		mkdirSync(dirname(to), { recursive: true });
		writeFileSync(
			to,
			readFileSync(from, 'utf8').replace(/from '(?:\.\.\/)+src\//g, `from '${repo}/src/`)
		);
	};
	for (const page of spec.docs)
		copy(join(repo, 'content/docs', `${page}.mdx`), join(root, 'docs', `${page}.mdx`));
	mkdirSync(join(root, 'faq'), { recursive: true });
	for (const id of spec.faq)
		for (const file of readdirSync(join(repo, 'content/faq')).filter((f) => f.startsWith(`${id}.`)))
			copy(join(repo, 'content/faq', file), join(root, 'faq', file));
	spec.change(root);
	return relative(repo, root);
}

/** Runs `astro <args>` on a fixture's content tree; output without colour codes. */
export function astroOn(root: string, args: string[]): { output: string; status: number | null } {
	const run = spawnSync('npx', ['astro', ...args], {
		cwd: repo,
		encoding: 'utf8',
		env: {
			...process.env,
			ASTRO_TELEMETRY_DISABLED: '1',
			FORCE_COLOR: '0',
			NO_COLOR: '1',
			KB_CONTENT_ROOT: root,
			// Compressed copies are the deploy's concern, not a fixture's.
			KB_PRECOMPRESS: '0',
		},
	});
	// eslint-disable-next-line no-control-regex -- stripping ANSI escape sequences is the point
	return { output: (run.stdout + run.stderr).replace(/\u001b\[[0-9;]*m/g, ''), status: run.status };
}

/** Writes the fixture and builds it with the site's code. */
export function buildFixtureSite(spec: FixtureSpec): FixtureSite {
	const root = fixtureContent(spec);
	const dist = join(repo, 'test-results', 'fixtures', spec.name, 'dist');
	return { root, dist, ...astroOn(root, ['build', '--outDir', dist]) };
}

/** Replaces `from` with `to` in a fixture file, failing loudly when the text is not there. */
export function edit(file: string, from: string | RegExp, to: string) {
	const text = readFileSync(file, 'utf8');
	const changed = text.replace(from, to);
	if (changed === text) throw new Error(`${file}: found no ${String(from)} to change`);
	writeFileSync(file, changed);
}
