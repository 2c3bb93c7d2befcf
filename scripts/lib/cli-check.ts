import { readFileSync } from 'node:fs';
import { placeholderPattern } from '../../src/markdown/placeholders.ts';
import { listFiles } from '../../src/lib/dist-files.ts';
import { readFrontmatter } from '../../src/lib/frontmatter.ts';
import {
	cliRoot,
	loadReference,
	readReleaseMap,
	type CliReference,
	type FlagSpec,
	type ReleaseMap,
	type Tool,
} from './cli-reference.ts';
import { extractShellBlocks } from './shell-check.ts';

/**
 * Checks every `istioctl`, `linkerd` and `helm` command in the site's shell blocks against the
 * command reference of the release the page names (vendor/upstream/cli/): the subcommand
 * exists, each flag exists for it or one of its parents, a flag that takes a value has one, and
 * a boolean flag is not followed by a separate `true`/`false` (cobra would read that as an
 * argument). The reference is read from each CLI's cobra source (scripts/vendor-cli.ts).
 */

/** One word of a shell command and the source line it sits on. */
interface Word {
	text: string;
	line: number;
	/** Came from a `$(...)`, `$VAR` or quoting that may expand to anything: not checked. */
	dynamic: boolean;
}

export interface CliCommand {
	file: string;
	/** 1-based line of the command's first word. */
	line: number;
	tool: Tool;
	/** The words after the tool name. */
	args: Word[];
	/** The command as one line, for messages. */
	text: string;
}

export interface Finding {
	file: string;
	line: number;
	tool: Tool;
	release: string;
	command: string;
	message: string;
	/** The flag or subcommand at fault, as written. */
	word: string;
	/** The closest real flag or subcommand, when there is one. */
	closest?: string;
}

const toolNames = new Set<string>(['istioctl', 'linkerd', 'helm']);
/** Words that may precede a command without being it. */
const prefixes = new Set([
	'sudo',
	'time',
	'exec',
	'command',
	'nohup',
	'watch',
	'do',
	'then',
	'else',
	'if',
	'while',
	'until',
	'!',
	'{',
	'(',
	'xargs',
]);

/**
 * Splits shell code into simple commands (words between `|`, `&&`, `||`, `;`, `&` and
 * newlines), following line continuations and quotes, dropping comments, redirections and
 * here-documents, and reading the code inside `$(...)` and backticks as commands of their own.
 */
export function splitCommands(code: string, firstLine: number): Word[][] {
	const commands: Word[][] = [];
	let current: Word[] = [];
	let line = firstLine;
	let heredocs: string[] = [];
	let i = 0;
	const end = () => {
		if (current.length > 0) commands.push(current);
		current = [];
	};
	const src = code.replace(placeholderPattern, (_m, name: string) => `PLACEHOLDER_${name}`);
	while (i < src.length) {
		const c = src[i] ?? '';
		if (c === '\n') {
			end();
			line++;
			i++;
			// Here-document bodies end at their delimiter line.
			for (const delim of heredocs) {
				while (i < src.length) {
					const eol = src.indexOf('\n', i);
					const text = src.slice(i, eol < 0 ? src.length : eol);
					i = eol < 0 ? src.length : eol + 1;
					line++;
					if (text.trim() === delim) break;
				}
			}
			heredocs = [];
			continue;
		}
		if (c === ' ' || c === '\t') {
			i++;
			continue;
		}
		if (c === '\\' && src[i + 1] === '\n') {
			i += 2;
			line++;
			continue;
		}
		if (c === '#') {
			while (i < src.length && src[i] !== '\n') i++;
			continue;
		}
		if ('|&;()'.includes(c)) {
			end();
			i += src[i + 1] === c ? 2 : 1;
			continue;
		}
		// Redirections: `>`, `>>`, `2>&1`, `<`, `<<<`, `<<EOF`; the target word is not an argument.
		const redirect = src.slice(i).match(/^(\d*)(<<-?|<<<|>>|>&|&>|<|>)(&?\d+|-)?/);
		if (redirect) {
			const op = redirect[2] ?? '';
			i += redirect[0].length;
			if (redirect[3]) continue;
			while (src[i] === ' ' || src[i] === '\t') i++;
			const target = readWord(src, i, line);
			i = target.end;
			if (op === '<<' || op === '<<-') heredocs.push(target.word.text.replace(/^['"]|['"]$/g, ''));
			for (const sub of target.subs) commands.push(...splitCommands(sub.code, sub.line));
			continue;
		}
		const w = readWord(src, i, line);
		i = w.end;
		line = w.endLine;
		current.push(w.word);
		for (const sub of w.subs) commands.push(...splitCommands(sub.code, sub.line));
	}
	end();
	return commands;
}

/** Reads one shell word from `start`, with the command substitutions inside it. */
function readWord(
	src: string,
	start: number,
	line: number
): { word: Word; end: number; endLine: number; subs: { code: string; line: number }[] } {
	let text = '';
	let dynamic = false;
	let i = start;
	let l = line;
	const subs: { code: string; line: number }[] = [];
	const substitution = (open: number, close: string) => {
		// `$(` ... `)` with nesting, or a backtick pair.
		let depth = 1;
		let j = open;
		while (j < src.length && depth > 0) {
			if (close === ')' && src[j] === '(') depth++;
			else if (src[j] === close) depth--;
			if (depth > 0) j++;
		}
		subs.push({ code: src.slice(open, j), line: l });
		text += '$(…)';
		l += (src.slice(open, j).match(/\n/g) ?? []).length;
		dynamic = true;
		return j + 1;
	};
	while (i < src.length) {
		const c = src[i] ?? '';
		if (/[\s|&;()<>]/.test(c)) break;
		if (c === '\\') {
			if (src[i + 1] === '\n') break;
			text += src[i + 1] ?? '';
			i += 2;
		} else if (c === "'") {
			const j = src.indexOf("'", i + 1);
			const stop = j < 0 ? src.length : j;
			text += src.slice(i + 1, stop);
			l += (src.slice(i, stop).match(/\n/g) ?? []).length;
			i = stop + 1;
		} else if (c === '"') {
			i++;
			while (i < src.length && src[i] !== '"') {
				if (src[i] === '\\') {
					text += src[i + 1] ?? '';
					i += 2;
				} else if (src[i] === '$' && src[i + 1] === '(') i = substitution(i + 2, ')');
				else if (src[i] === '`') i = substitution(i + 1, '`');
				else {
					if (src[i] === '$') dynamic = true;
					if (src[i] === '\n') l++;
					text += src[i];
					i++;
				}
			}
			i++;
		} else if (c === '$' && src[i + 1] === '(') i = substitution(i + 2, ')');
		else if (c === '`') i = substitution(i + 1, '`');
		else {
			if (c === '$') dynamic = true;
			text += c;
			i++;
		}
	}
	return { word: { text, line, dynamic }, end: i, endLine: l, subs };
}

/**
 * Inline code in prose that starts with a tool name (`` `istioctl analyze -A` ``): readers copy
 * those too. Fenced blocks and the frontmatter are skipped (the blocks are read whole).
 */
function inlineCommands(source: string): { code: string; line: number }[] {
	const out: { code: string; line: number }[] = [];
	const lines = source.split('\n');
	let fence: string | undefined;
	let i = 0;
	if (lines[0] === '---') {
		i = lines.indexOf('---', 1) + 1;
	}
	for (; i < lines.length; i++) {
		const l = lines[i] ?? '';
		const open = l.match(/^\s*(`{3,}|~{3,})/)?.[1];
		if (fence) {
			if (open && l.trim().startsWith(fence)) fence = undefined;
			continue;
		}
		if (open) {
			fence = open;
			continue;
		}
		for (const m of l.matchAll(/(?<!`)`([^`]+)`(?!`)/g))
			if (/^(?:istioctl|linkerd|helm)\s/.test(m[1] ?? ''))
				out.push({ code: m[1] ?? '', line: i + 1 });
	}
	return out;
}

/** Every istioctl, linkerd and helm command in a page's shell blocks and inline code. */
export function extractCommands(file: string, source: string): CliCommand[] {
	const out: CliCommand[] = [];
	const sourceLines = source.split('\n');
	const pieces = [
		...extractShellBlocks(file, source).map((b) => ({ code: b.code, line: b.line })),
		...inlineCommands(source),
	];
	for (const block of pieces) {
		for (const words of splitCommands(block.code, block.line)) {
			let k = 0;
			while (k < words.length) {
				const w = words[k]?.text ?? '';
				if (prefixes.has(w) || /^[A-Za-z_]\w*=/.test(w) || (w.startsWith('-') && k > 0)) k++;
				else break;
			}
			const head = words[k];
			const tool = head?.text.split('/').at(-1) ?? '';
			if (!head || !toolNames.has(tool)) continue;
			const args = words.slice(k + 1);
			// A command shown as what not to type carries `{/* cli-check: ignore */}` on its line.
			if (sourceLines[head.line - 1]?.includes('cli-check: ignore')) continue;
			out.push({
				file,
				line: head.line,
				tool: tool as Tool,
				args,
				text: [tool, ...args.map((a) => a.text)]
					.join(' ')
					.replace(/PLACEHOLDER_([a-z][a-z0-9-]*)/g, '<$1>'),
			});
		}
	}
	return out;
}

/** Levenshtein distance, for "did you mean". */
export function editDistance(a: string, b: string): number {
	let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
	for (let i = 1; i <= a.length; i++) {
		const row = [i];
		for (let j = 1; j <= b.length; j++)
			row[j] = Math.min(
				(prev[j] ?? 0) + 1,
				(row[j - 1] ?? 0) + 1,
				(prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1)
			);
		prev = row;
	}
	return prev[b.length] ?? 0;
}

/** The candidate the word is the start of (`--all` for `--all-namespaces`), else the nearest by edit distance. */
function closest(word: string, candidates: string[]): string | undefined {
	const longer = candidates.filter((c) => c.startsWith(word)).sort((a, b) => a.length - b.length);
	if (longer[0]) return longer[0];
	let best: string | undefined;
	let bestD = Infinity;
	for (const c of candidates) {
		const d = editDistance(word, c);
		if (d < bestD) {
			best = c;
			bestD = d;
		}
	}
	return best;
}

const help: FlagSpec = { short: 'h', value: 'none' };

const flagCache = new WeakMap<CliReference, Map<string, Map<string, FlagSpec>>>();
/** The flags a command accepts: its own, the persistent flags of it and its parents, and --help. */
function flagsOf(ref: CliReference, path: string): Map<string, FlagSpec> {
	let perRef = flagCache.get(ref);
	if (!perRef) flagCache.set(ref, (perRef = new Map()));
	const hit = perRef.get(path);
	if (hit) return hit;
	const flags = new Map<string, FlagSpec>([['help', help]]);
	const parts = path ? path.split(' ') : [];
	for (let n = 0; n <= parts.length; n++) {
		const c = ref.commands[parts.slice(0, n).join(' ')];
		for (const [k, v] of Object.entries(c?.persistent ?? {})) flags.set(k, v);
	}
	for (const [k, v] of Object.entries(ref.commands[path]?.flags ?? {})) flags.set(k, v);
	perRef.set(path, flags);
	return flags;
}

const subCache = new WeakMap<CliReference, Map<string, Map<string, string>>>();
function subcommands(ref: CliReference, path: string): Map<string, string> {
	let perRef = subCache.get(ref);
	if (!perRef) subCache.set(ref, (perRef = new Map()));
	const hit = perRef.get(path);
	if (hit) return hit;
	const out = new Map<string, string>();
	perRef.set(path, out);
	const depth = path ? path.split(' ').length + 1 : 1;
	for (const [p, c] of Object.entries(ref.commands)) {
		const parts = p.split(' ');
		if (!p || parts.length !== depth || (path && !p.startsWith(path + ' '))) continue;
		const name = parts.at(-1) ?? '';
		out.set(name, p);
		for (const alias of c.aliases ?? []) out.set(alias, p);
	}
	// cobra adds these to every root command.
	if (!path) for (const extra of ['help', 'completion']) if (!out.has(extra)) out.set(extra, extra);
	return out;
}

/** The problems with one command under one reference; [] when cobra would accept it. */
export function checkCommand(cmd: CliCommand, ref: CliReference): Finding[] {
	const findings: Finding[] = [];
	const report = (message: string, word: string, line: number, best?: string) =>
		findings.push({
			file: cmd.file,
			line,
			tool: cmd.tool,
			release: ref.release,
			command: cmd.text,
			message,
			word,
			...(best ? { closest: best } : {}),
		});
	const byShort = (flags: Map<string, FlagSpec>, s: string) =>
		[...flags].find(([, f]) => f.short === s);
	const args = cmd.args;
	// Find the subcommand the way cobra does: the leading words that name commands, flags skipped.
	let path = '';
	const commandWords = new Set<number>();
	for (let i = 0; i < args.length; i++) {
		const w = args[i] as Word;
		if (w.text === '--') break;
		if (w.text.startsWith('-') && w.text !== '-') {
			const flags = flagsOf(ref, path);
			const long = w.text.startsWith('--');
			const name = w.text.slice(long ? 2 : 1);
			const spec = long
				? flags.get(name)
				: name.length === 1
					? byShort(flags, name)?.[1]
					: undefined;
			if (spec?.value === 'required') i++;
			continue;
		}
		if (w.text.startsWith('$')) break;
		const subs = subcommands(ref, path);
		const next = subs.get(w.text);
		if (next) {
			if (next === 'help' || next === 'completion') return findings;
			path = next;
			commandWords.add(i);
			continue;
		}
		const node = ref.commands[path];
		if (subs.size > (path ? 0 : 2) && node && !node.runnable)
			report(
				`unknown command "${w.text}" for "${[cmd.tool, path].filter(Boolean).join(' ')}"`,
				w.text,
				w.line,
				closest(w.text, [...subs.keys()])
			);
		break;
	}
	if (findings.length > 0) return findings;
	const flags = flagsOf(ref, path);
	const longNames = [...flags.keys()].map((n) => `--${n}`);
	const needsValue = (i: number) => {
		const v = args[i + 1];
		return !v || (v.text.startsWith('-') && v.text !== '-' && !/^-\d/.test(v.text));
	};
	for (let i = 0; i < args.length; i++) {
		const w = args[i] as Word;
		// A word that expands at run time (`$FLAGS`, `--x$(...)`) cannot be checked.
		if (commandWords.has(i) || (w.dynamic && /\$/.test(w.text.split('=')[0] ?? ''))) continue;
		if (w.text === '--') break;
		if (!w.text.startsWith('-') || w.text === '-') continue;
		if (w.text.startsWith('--')) {
			const [name = '', value] = w.text.slice(2).split(/=(.*)/s);
			const spec = flags.get(name);
			if (!spec) {
				report(`unknown flag --${name}`, `--${name}`, w.line, closest(`--${name}`, longNames));
				continue;
			}
			if (value !== undefined) continue;
			if (spec.value === 'required') {
				if (needsValue(i)) report(`flag --${name} needs a value`, `--${name}`, w.line);
				else i++;
			} else if (/^(true|false)$/.test(args[i + 1]?.text ?? ''))
				report(
					`${spec.value === 'none' ? 'boolean flag' : 'flag'} --${name} does not read a separate value (cobra takes "${args[i + 1]?.text}" as an argument); write --${name}=${args[i + 1]?.text}`,
					`--${name}`,
					w.line
				);
			continue;
		}
		// -abc: shorthand flags, the last one (or the first that takes a value) reading the rest.
		const shorts = w.text.slice(1);
		for (let k = 0; k < shorts.length; k++) {
			const s = shorts[k] ?? '';
			const hit = byShort(flags, s);
			if (!hit) {
				const known = [...flags].flatMap(([n, f]) => (f.short ? [`-${f.short} (--${n})`] : []));
				report(`unknown shorthand flag -${s}`, `-${s}`, w.line, closest(`-${s}`, known));
				break;
			}
			if (hit[1].value === 'required') {
				const rest = shorts.slice(k + 1).replace(/^=/, '');
				if (!rest) {
					if (needsValue(i)) report(`flag -${s} (--${hit[0]}) needs a value`, `-${s}`, w.line);
					else i++;
				}
				break;
			}
		}
	}
	return findings;
}

type Verified = { istio?: string; linkerd?: string };

/**
 * The frontmatter's `verified` entry. Only that entry is parsed: parsing whole frontmatters with
 * the YAML library was most of this check's time in the build.
 */
function verifiedOf(source: string): Verified | undefined {
	const fm = source.match(/^---\r?\n([\s\S]*?)\r?\n---/)?.[1] ?? '';
	const entry = fm.match(/^verified:.*(?:\n[ \t]+.*)*/m)?.[0];
	if (!entry) return undefined;
	return (readFrontmatter(`---\n${entry}\n---`) as { verified?: Verified }).verified;
}

/** The references a page's commands are read against, from its `verified` frontmatter. */
export function referencesFor(
	tool: Tool,
	verified: Verified | undefined,
	map: ReleaseMap,
	root = cliRoot
): CliReference[] {
	const fm = { verified };
	const releases =
		tool === 'istioctl'
			? [map.istioctl[fm.verified?.istio ?? ''] ?? `istio ${fm.verified?.istio ?? '(none)'}`]
			: tool === 'linkerd'
				? [map.linkerd[fm.verified?.linkerd ?? ''] ?? `linkerd ${fm.verified?.linkerd ?? '(none)'}`]
				: // The site's Helm commands are meant for Helm 3 and Helm 4 alike.
					Object.values(map.helm);
	return releases.map((r) => loadReference(tool, r, root));
}

export function formatFinding(f: Finding): string {
	const best = f.closest ? `; closest: ${f.closest}` : '';
	return `${f.file}:${f.line}: ${f.message} (${f.tool} ${f.release})${best}\n    ${f.command}`;
}

/** The pages and answers whose shell blocks are checked. */
export function contentFiles(contentRoot: string): string[] {
	return ['docs', 'faq'].flatMap((dir) => {
		try {
			return listFiles(`${contentRoot}/${dir}`)
				.filter((f) => /\.mdx?$/.test(f))
				.map((f) => `${contentRoot}/${dir}/${f}`);
		} catch {
			return [];
		}
	});
}

/** Every finding in a content tree, each command read against its page's releases. */
export function checkContent(
	contentRoot = process.env['KB_CONTENT_ROOT'] ?? 'content',
	map: ReleaseMap = readReleaseMap(),
	root = cliRoot
): { commands: number; findings: Finding[] } {
	let commands = 0;
	const findings: Finding[] = [];
	for (const file of contentFiles(contentRoot)) {
		const source = readFileSync(file, 'utf8');
		const found = extractCommands(file, source);
		if (found.length === 0) continue;
		const verified = verifiedOf(source);
		for (const cmd of found) {
			commands++;
			for (const ref of referencesFor(cmd.tool, verified, map, root))
				findings.push(...checkCommand(cmd, ref));
		}
	}
	return { commands, findings };
}

/**
 * Drift between two references of one tool: the site's commands that `from` accepts and `to`
 * rejects (flags or subcommands that went), and the reverse.
 */
export function drift(
	commands: CliCommand[],
	from: CliReference,
	to: CliReference
): { gone: Finding[]; fixed: Finding[] } {
	const mine = commands.filter((c) => c.tool === from.tool);
	const key = (f: Finding) => `${f.file}:${f.line}:${f.word}:${f.message}`;
	const before = mine.flatMap((c) => checkCommand(c, from));
	const after = mine.flatMap((c) => checkCommand(c, to));
	const beforeKeys = new Set(before.map(key));
	const afterKeys = new Set(after.map(key));
	return {
		gone: after.filter((f) => !beforeKeys.has(key(f))),
		fixed: before.filter((f) => !afterKeys.has(key(f))),
	};
}
