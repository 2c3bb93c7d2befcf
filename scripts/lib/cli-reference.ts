import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CobraReader, type CommandTree, type FlagSpec, type GoSource } from './go-cobra.ts';

/** One vendored command reference: `vendor/upstream/cli/<tool>/<release>.json`. */
export interface CliReference {
	tool: Tool;
	release: string;
	repository: string;
	commit: string;
	/** Commit date of the tag. */
	date: string;
	generated: string;
	commands: CommandTree;
}

export type Tool = 'istioctl' | 'linkerd' | 'helm';
export const tools: Tool[] = ['istioctl', 'linkerd', 'helm'];

/** Which vendored release a page's `verified` version reads: `vendor/upstream/cli/releases.json`. */
export type ReleaseMap = Record<Tool, Record<string, string>>;

export const cliRoot = 'vendor/upstream/cli';

/** Where each CLI's cobra tree starts in its repository, for a tag. */
export const generators: Record<
	Tool,
	{
		repository: string;
		mirror: string;
		entry: (tag: string) => { dir: string; func: string };
		/** Functions the binary's main() runs first that add global flags (istioctl's --vklog). */
		before?: { dir: string; func: string }[];
	}
> = {
	istioctl: {
		repository: 'istio/istio',
		mirror: 'istio+istio',
		entry: () => ({ dir: 'istioctl/cmd', func: 'GetRootCmd' }),
		before: [{ dir: 'pkg/log', func: 'EnableKlogWithCobra' }],
	},
	linkerd: {
		repository: 'linkerd/linkerd2',
		mirror: 'linkerd+linkerd2',
		entry: () => ({ dir: 'cli/cmd', func: 'NewRootCmd' }),
	},
	helm: {
		repository: 'helm/helm',
		mirror: 'helm+helm',
		entry: (tag) =>
			tag.startsWith('v3.')
				? { dir: 'cmd/helm', func: 'newRootCmd' }
				: { dir: 'pkg/cmd', func: 'NewRootCmd' },
	},
};

/** A Go module at a tag of a bare git mirror, read with `git cat-file`, one batch per package. */
export function gitSource(repo: string, tag: string): GoSource {
	const git = (args: string[], input?: string) =>
		execFileSync('git', ['-C', repo, ...args], {
			encoding: 'utf8',
			maxBuffer: 1 << 30,
			input,
		});
	const byDir = new Map<string, string[]>();
	for (const f of git(['ls-tree', '-r', '--name-only', tag]).split('\n')) {
		if (!f.endsWith('.go') || f.endsWith('_test.go') || f.includes('/testdata/')) continue;
		const dir = f.slice(0, f.lastIndexOf('/'));
		byDir.set(dir, [...(byDir.get(dir) ?? []), f]);
	}
	const module = git(['show', `${tag}:go.mod`]).match(/^module\s+(\S+)/m)?.[1] ?? '';
	return {
		module,
		readDir(dir) {
			const paths = byDir.get(dir) ?? [];
			if (paths.length === 0) return [];
			const out = execFileSync('git', ['-C', repo, 'cat-file', '--batch'], {
				input: paths.map((p) => `${tag}:${p}`).join('\n') + '\n',
				maxBuffer: 1 << 30,
			});
			const files: { path: string; text: string }[] = [];
			let at = 0;
			for (const path of paths) {
				const nl = out.indexOf(10, at);
				const size = Number(out.subarray(at, nl).toString().split(' ')[2]);
				files.push({ path, text: out.subarray(nl + 1, nl + 1 + size).toString('utf8') });
				at = nl + 1 + size + 1;
			}
			return files;
		},
	};
}

/** Reads one release's command tree from the mirror. */
export function generate(tool: Tool, tag: string, mirrors: string): CliReference {
	const g = generators[tool];
	const repo = join(mirrors, g.mirror, 'repo');
	const reader = new CobraReader(gitSource(repo, tag));
	const entry = g.entry(tag);
	const commands = reader.read(entry.dir, entry.func, g.before);
	const [commit = '', date = ''] = execFileSync(
		'git',
		['-C', repo, 'log', '-1', '--format=%H %cI', `${tag}^{commit}`],
		{ encoding: 'utf8' }
	)
		.trim()
		.split(' ');
	return {
		tool,
		release: tag,
		repository: g.repository,
		commit,
		date,
		generated: `scripts/vendor-cli.ts: cobra commands and pflag flags read from the Go source from ${entry.dir}.${entry.func}; calls not followed: ${[...reader.unresolved].join('; ') || 'none'}`,
		commands,
	};
}

export function readReleaseMap(root = cliRoot): ReleaseMap {
	return JSON.parse(readFileSync(join(root, 'releases.json'), 'utf8')) as ReleaseMap;
}

const refCache = new Map<string, CliReference>();
/** Forgets the references read so far (the generator rewrites them). */
export function clearReferenceCache(): void {
	refCache.clear();
}
/** A vendored reference; throws naming the file when it is missing. */
export function loadReference(tool: Tool, release: string, root = cliRoot): CliReference {
	const file = join(root, tool, `${release}.json`);
	const hit = refCache.get(file);
	if (hit) return hit;
	if (!existsSync(file))
		throw new Error(
			`${file}: no vendored ${tool} reference for ${release}; run npm run vendor:cli`
		);
	const ref = JSON.parse(readFileSync(file, 'utf8')) as CliReference;
	refCache.set(file, ref);
	return ref;
}

export function listReferences(root = cliRoot): CliReference[] {
	return tools.flatMap((tool) =>
		existsSync(join(root, tool))
			? readdirSync(join(root, tool))
					.filter((f) => f.endsWith('.json'))
					.map((f) => loadReference(tool, f.replace(/\.json$/, ''), root))
			: []
	);
}

/** Counts for the provenance table: commands (the root excluded) and flag definitions. */
export function counts(ref: CliReference): { commands: number; flags: number } {
	const entries = Object.entries(ref.commands);
	return {
		commands: entries.filter(([path]) => path !== '').length,
		flags: entries.reduce(
			(n, [, c]) => n + Object.keys(c.flags).length + Object.keys(c.persistent).length,
			0
		),
	};
}

/**
 * Compares a generated Linkerd tree with linkerd/website's `linkerd doc` data for the same
 * release (flag names only: that data does not say which flags take a value).
 */
export function compareWithWebsite(ref: CliReference, websiteYaml: string): string[] {
	const doc = parse(websiteYaml) as {
		CLIReference: { Name: string; Options: { Name: string }[] | null }[];
	};
	const out: string[] = [];
	for (const c of doc.CLIReference) {
		const mine = ref.commands[c.Name];
		if (!mine) {
			out.push(`website has \`linkerd ${c.Name}\`, the source reading has not`);
			continue;
		}
		const theirs = new Set((c.Options ?? []).map((o) => o.Name).filter((n) => n !== 'help'));
		const ours = new Set([...Object.keys(mine.flags), ...Object.keys(mine.persistent)]);
		for (const n of theirs)
			if (!ours.has(n)) out.push(`\`linkerd ${c.Name} --${n}\`: on the website, not read`);
		for (const n of ours)
			if (!theirs.has(n)) out.push(`\`linkerd ${c.Name} --${n}\`: read, not on the website`);
	}
	const documented = new Set(doc.CLIReference.map((c) => c.Name));
	for (const path of Object.keys(ref.commands))
		if (path && !documented.has(path) && !ref.commands[path]?.hidden) {
			// `linkerd doc` leaves deprecated commands out, as cobra's help does.
			const why = ref.commands[path]?.deprecated
				? ' (deprecated, which linkerd doc leaves out)'
				: '';
			out.push(`\`linkerd ${path}\`: read, not on the website${why}`);
		}
	return out;
}

export type { FlagSpec };
