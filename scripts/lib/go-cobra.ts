/**
 * Reads a Go CLI's command tree and flags from its cobra/pflag source, without Go: a small
 * abstract interpreter follows the functions that build commands (`&cobra.Command{...}`,
 * `AddCommand`, `Flags().StringVarP(...)`, helpers that take a command or a flag set) from an
 * entry function, across the module's own packages. Flags defined in other modules (klog,
 * kubectl) are not seen; `unresolved` lists the calls it could not follow so a reader can judge.
 */

/** How a flag reads its value: `none` (boolean or count), `required`, `optional` (NoOptDefVal set). */
export type FlagValue = 'none' | 'required' | 'optional';
export interface FlagSpec {
	short?: string;
	value: FlagValue;
}
export interface CommandSpec {
	aliases?: string[];
	/** Has Run/RunE: may be called with arguments even when it has subcommands. */
	runnable: boolean;
	hidden?: boolean;
	/** cobra prints a deprecation warning when it runs; `linkerd doc` and help leave it out. */
	deprecated?: boolean;
	/** Flags of this command only. */
	flags: Record<string, FlagSpec>;
	/** Flags this command and all its subcommands accept. */
	persistent: Record<string, FlagSpec>;
}
/** Command path ('' for the root, 'viz stat' for a subcommand) -> what it accepts. */
export type CommandTree = Record<string, CommandSpec>;

export interface GoSource {
	/** Go files (non-test) of a package directory relative to the module root; [] when absent. */
	readDir(dir: string): { path: string; text: string }[];
	/** Module path from go.mod, e.g. `istio.io/istio`. */
	module: string;
}

class FlagSet {
	flags = new Map<string, FlagSpec>();
}
class Cmd {
	name = '';
	aliases: string[] = [];
	runnable = false;
	hidden = false;
	deprecated = false;
	local = new FlagSet();
	persistent = new FlagSet();
	children: Cmd[] = [];
}
class FlagRef {
	set: FlagSet;
	name: string;
	constructor(set: FlagSet, name: string) {
		this.set = set;
		this.name = name;
	}
}
/** A struct value: its fields, and its type when known so that its methods can be found. */
class Struct {
	fields = new Map<string, Value>();
	type: { dir: string; name: string } | undefined;
	constructor(type?: { dir: string; name: string }) {
		this.type = type;
	}
}
/** A package-level variable of the module (`root.LoggingOptions`): its methods are looked up near it. */
class PkgVar {
	dir: string;
	/** The identifier after the package name (`pkg.Name`), a variable or a type. */
	name: string;
	constructor(dir: string, name = '') {
		this.dir = dir;
		this.name = name;
	}
}

/** A flag-defining method taken as a value (`cmd.PersistentFlags().StringVar` passed to a helper). */
class BoundDef {
	set: FlagSet;
	method: string;
	constructor(set: FlagSet, method: string) {
		this.set = set;
		this.method = method;
	}
}
class Pkg {
	dir: string;
	constructor(dir: string) {
		this.dir = dir;
	}
}
type Value =
	Cmd | FlagSet | FlagRef | Pkg | PkgVar | BoundDef | Struct | string | Value[] | undefined;

interface GoFunc {
	dir: string;
	file: string;
	name: string;
	recv: { name: string; type: string } | undefined;
	params: { name: string; type: string }[];
	results: string;
	body: string;
}

/** Replaces comments by spaces, keeping strings and offsets. */
export function stripComments(src: string): string {
	let out = '';
	for (let i = 0; i < src.length; i++) {
		const c = src[i];
		if (c === '/' && src[i + 1] === '/') {
			while (i < src.length && src[i] !== '\n') i++;
			out += '\n';
		} else if (c === '/' && src[i + 1] === '*') {
			const end = src.indexOf('*/', i + 2);
			const stop = end < 0 ? src.length : end + 2;
			out += src.slice(i, stop).replace(/[^\n]/g, ' ');
			i = stop - 1;
		} else if (c === '"' || c === '`' || c === "'") {
			const j = stringEnd(src, i);
			out += src.slice(i, j);
			i = j - 1;
		} else out += c;
	}
	return out;
}

/** Index just after the string or rune literal starting at i. */
function stringEnd(s: string, i: number): number {
	const q = s[i];
	let j = i + 1;
	while (j < s.length && s[j] !== q) {
		if (q !== '`' && s[j] === '\\') j++;
		if (q !== '`' && s[j] === '\n') break;
		j++;
	}
	return j + 1;
}

/** Index of the bracket closing the one at `open`, skipping strings. */
function matching(s: string, open: number): number {
	let depth = 0;
	for (let i = open; i < s.length; i++) {
		const c = s[i];
		if (c === '"' || c === '`' || c === "'") i = stringEnd(s, i) - 1;
		else if (c === '(' || c === '{' || c === '[') depth++;
		else if (c === ')' || c === '}' || c === ']') {
			depth--;
			if (depth === 0) return i;
		}
	}
	return s.length - 1;
}

/** Splits at depth 0 on the separators given (',' for arguments; '\n' and ';' for statements). */
function splitTop(s: string, seps: string): string[] {
	const parts: string[] = [];
	let depth = 0;
	let start = 0;
	for (let i = 0; i < s.length; i++) {
		const c = s[i] ?? '';
		if (c === '"' || c === '`' || c === "'") i = stringEnd(s, i) - 1;
		else if ('({['.includes(c)) depth++;
		else if (')}]'.includes(c)) depth--;
		else if (depth === 0 && seps.includes(c)) {
			// A statement continues after a line ending in an operator, a comma or a dot, and an
			// `if x := f(); x != nil {` header is one statement.
			if (c === '\n' && /(?:[.,(+]|&&|\|\|)\s*$/.test(s.slice(start, i))) continue;
			if (c === ';' && /^\s*(?:if|for|switch)\b/.test(s.slice(start, i))) continue;
			parts.push(s.slice(start, i));
			start = i + 1;
		}
	}
	parts.push(s.slice(start));
	return parts.map((p) => p.trim()).filter(Boolean);
}

function parseParams(list: string): { name: string; type: string }[] {
	const raw = splitTop(list, ',').map((p) => p.split(/\s+/));
	// `a, b *cobra.Command`: names without a type take the type of the next one that has one.
	const out: { name: string; type: string }[] = [];
	let pendingType = '';
	for (let i = raw.length - 1; i >= 0; i--) {
		const p = raw[i] ?? [];
		if (p.length >= 2) pendingType = p.slice(1).join(' ');
		out.unshift({ name: p.length >= 2 ? (p[0] ?? '') : (p[0] ?? ''), type: pendingType });
	}
	// A lone type without names (`func(string, int)`): names are irrelevant then.
	return out;
}

function parseFuncs(dir: string, file: string, src: string): GoFunc[] {
	const funcs: GoFunc[] = [];
	const re = /^func\s*(\(([^)]*)\))?\s*(\w+)\s*(?:\[[^\]]*\])?\s*\(/gm;
	for (const m of src.matchAll(re)) {
		const paramOpen = (m.index ?? 0) + m[0].length - 1;
		const paramClose = matching(src, paramOpen);
		let i = paramClose + 1;
		// The body is the first `{` outside parentheses that is not interface{} or struct{}.
		let depth = 0;
		for (; i < src.length; i++) {
			const c = src[i];
			if (c === '(') depth++;
			else if (c === ')') depth--;
			else if (c === '{' && depth === 0) {
				if (/(?:interface|struct)\s*$/.test(src.slice(i - 12, i))) i = matching(src, i);
				else break;
			} else if (c === '\n' && depth === 0 && /^\s*$/.test(src.slice(paramClose + 1, i))) {
				i = -1; // a declaration without a body
				break;
			}
		}
		if (i < 0 || i >= src.length) continue;
		const recvParts = m[2]?.trim().split(/\s+/);
		funcs.push({
			dir,
			file,
			name: m[3] ?? '',
			recv: recvParts
				? { name: recvParts.length > 1 ? (recvParts[0] ?? '') : '', type: recvParts.at(-1) ?? '' }
				: undefined,
			params: parseParams(src.slice(paramOpen + 1, paramClose)),
			results: src.slice(paramClose + 1, i).trim(),
			body: src.slice(i + 1, matching(src, i)),
		});
	}
	return funcs;
}

const definer =
	/^(Bool|String|Int|Int8|Int16|Int32|Int64|Uint|Uint8|Uint16|Uint32|Uint64|Float32|Float64|Duration|Count|IP|IPMask|IPNet|IPSlice|BytesHex|BytesBase64|StringSlice|StringArray|StringToString|StringToInt|StringToInt64|IntSlice|Int32Slice|Int64Slice|UintSlice|Float32Slice|Float64Slice|BoolSlice|DurationSlice|Var|Func|BoolFunc)(Var)?(P)?$/;

export class CobraReader {
	private funcsByDir = new Map<string, GoFunc[]>();
	private importsByFile = new Map<string, Map<string, string>>();
	private constsByDir = new Map<string, Map<string, string>>();
	private methods = new Map<string, GoFunc[]>();
	private stack: string[] = [];
	/** Calls into the module's code that looked relevant (a command or flag set passed) but were not found. */
	readonly unresolved = new Set<string>();
	/** pflag.CommandLine: cobra adds its flags to the root command. */
	private commandLine = new FlagSet();

	private source: GoSource;
	constructor(source: GoSource) {
		this.source = source;
	}

	private load(dir: string): GoFunc[] {
		const known = this.funcsByDir.get(dir);
		if (known) return known;
		const funcs: GoFunc[] = [];
		const consts = new Map<string, string>();
		this.funcsByDir.set(dir, funcs);
		this.constsByDir.set(dir, consts);
		for (const { path, text } of this.source.readDir(dir)) {
			const src = stripComments(text);
			const imports = new Map<string, string>();
			for (const m of src.matchAll(/^\s*(?:import\s+)?(\w+\s+)?"([^"]+)"\s*$/gm)) {
				const path = m[2] ?? '';
				if (!path.startsWith(this.source.module + '/')) continue;
				const rel = path.slice(this.source.module.length + 1);
				imports.set(m[1]?.trim() || (rel.split('/').at(-1) ?? ''), rel);
			}
			this.importsByFile.set(path, imports);
			for (const m of src.matchAll(
				/^\s*(?:const\s+|var\s+)?(\w+)\s*(?:[\w.]+\s*)?=\s*"([^"]*)"\s*$/gm
			))
				consts.set(m[1] ?? '', m[2] ?? '');
			for (const f of parseFuncs(dir, path, src)) {
				funcs.push(f);
				if (f.recv) {
					const list = this.methods.get(f.name) ?? [];
					list.push(f);
					this.methods.set(f.name, list);
				}
			}
		}
		return funcs;
	}

	/** Runs `entry` (a function in package `dir`) and returns the command tree it builds. */
	read(dir: string, entry: string, before: { dir: string; func: string }[] = []): CommandTree {
		const fn = (d: string, name: string) => {
			const g = this.load(d).find((x) => x.name === name && !x.recv);
			if (!g)
				throw new Error(
					`${d}: no function ${name} at this tag; the CLI's entry point moved: set it in generators (scripts/lib/cli-reference.ts)`
				);
			return g;
		};
		for (const b of before) this.call(fn(b.dir, b.func), [], undefined);
		const root = this.call(fn(dir, entry), [], undefined)[0];
		if (!(root instanceof Cmd)) throw new Error(`${dir}.${entry} returned no *cobra.Command`);
		for (const [k, v] of this.commandLine.flags) root.persistent.flags.set(k, v);
		const tree: CommandTree = {};
		const walk = (c: Cmd, path: string, seen: Set<Cmd>) => {
			if (seen.has(c)) return;
			seen.add(c);
			const spec: CommandSpec = {
				runnable: c.runnable,
				flags: Object.fromEntries([...c.local.flags].sort()),
				persistent: Object.fromEntries([...c.persistent.flags].sort()),
			};
			if (c.aliases.length > 0) spec.aliases = c.aliases;
			if (c.hidden) spec.hidden = true;
			if (c.deprecated) spec.deprecated = true;
			tree[path] = spec;
			// Two children of one name (istioctl adds its experimental `version` to the root under
			// a setting, then the stable one): cobra finds the one added last.
			const byName = new Map(c.children.map((child) => [child.name, child]));
			for (const child of byName.values()) {
				if (!child.name) {
					this.unresolved.add(`a subcommand of "${path}" whose Use could not be read`);
					continue;
				}
				walk(child, path ? `${path} ${child.name}` : child.name, seen);
			}
			seen.delete(c);
		};
		walk(root, '', new Set());
		return Object.fromEntries(Object.entries(tree).sort(([a], [b]) => a.localeCompare(b)));
	}

	private importsOfDir(dir: string): string[] {
		const out = new Set<string>();
		for (const g of this.load(dir))
			for (const d of this.importsByFile.get(g.file)?.values() ?? []) out.add(d);
		return [...out];
	}

	private call(f: GoFunc, args: Value[], recv: Value): Value[] {
		const key = `${f.dir}.${f.recv?.type ?? ''}.${f.name}`;
		if (this.stack.includes(key) || this.stack.length > 24) return [];
		this.stack.push(key);
		const env = new Map<string, Value>();
		if (f.recv?.name) env.set(f.recv.name, recv);
		f.params.forEach((p, i) =>
			env.set(p.name, p.type.startsWith('...') ? args.slice(i).flat() : args[i])
		);
		const result = this.block(f.body, env, f);
		this.stack.pop();
		return result ?? [];
	}

	/** Runs a block's statements; returns the values of the first `return` that yields any. */
	private block(body: string, env: Map<string, Value>, f: GoFunc): Value[] | undefined {
		let returned: Value[] | undefined;
		for (const stmt of splitTop(body, '\n;')) {
			const r = this.statement(stmt, env, f);
			// `return nil, err` before the real return yields nothing the reader models.
			if (r && r.some((v) => v !== undefined && !(v instanceof PkgVar)) && !returned) returned = r;
		}
		return returned;
	}

	private statement(s: string, env: Map<string, Value>, f: GoFunc): Value[] | undefined {
		if (/^(?:case\b|default\s*:|defer\b|go\b|break\b|continue\b|goto\b)/.test(s)) return undefined;
		if (/^(?:if|for|switch|select|else)\b|^\{|^\}/.test(s)) {
			// `for _, c := range <expr> {`: the body is the statement's last top-level block.
			const range = s.match(/^for\s+(?:\w+\s*,\s*)?(\w+)\s*:?=\s*range\s+/);
			let i = 0;
			if (range?.[1]) {
				let body = s.length;
				for (let j = range[0].length; j < s.length; j++) {
					const c = s[j];
					if (c === '"' || c === '`' || c === "'") j = stringEnd(s, j) - 1;
					else if (c === '(' || c === '[') j = matching(s, j);
					else if (c === '{') {
						body = j;
						j = matching(s, j);
					}
				}
				env.set(range[1], this.expr(s.slice(range[0].length, body), env, f));
				i = body;
			}
			let returned: Value[] | undefined;
			for (; i < s.length; i++) {
				const c = s[i];
				if (c === '"' || c === '`' || c === "'") i = stringEnd(s, i) - 1;
				else if (c === '(' || c === '[') i = matching(s, i);
				else if (c === '{') {
					const end = matching(s, i);
					const r = this.block(s.slice(i + 1, end), env, f);
					if (r && !returned) returned = r;
					i = end;
				}
			}
			return returned;
		}
		const ret = s.match(/^return\b\s*([\s\S]*)$/);
		if (ret) return splitTop(ret[1] ?? '', ',').map((e) => this.expr(e, env, f));
		const decl = s.match(/^var\s+(\w+)(?:\s+([^=]+))?(?:=\s*([\s\S]+))?$/);
		if (decl) {
			// `var opts clioptions.ControlPlaneOptions`: a typed zero value, whose methods can be found.
			const type = decl[2]?.trim().match(/^\*?(?:(\w+)\.)?(\w+)$/);
			let value: Value;
			if (decl[3]) value = this.expr(decl[3], env, f);
			else if (type?.[2]) {
				const dir = type[1] ? this.importsByFile.get(f.file)?.get(type[1]) : f.dir;
				if (dir) value = new Struct({ dir, name: type[2] });
			}
			env.set(decl[1] ?? '', value);
			return undefined;
		}
		// `f.Lookup("wait").NoOptDefVal = "..."`: the flag's value becomes optional.
		const noOpt = s.match(/^([\s\S]+)\.NoOptDefVal\s*=[^=]/);
		if (noOpt) {
			const ref = this.expr(noOpt[1] ?? '', env, f);
			const spec = ref instanceof FlagRef ? ref.set.flags.get(ref.name) : undefined;
			if (spec && spec.value === 'required') spec.value = 'optional';
			return undefined;
		}
		// `cmd.Hidden = true` after the literal (Linkerd's deprecated top-level viz commands).
		const marked = s.match(/^(\w+)\.(Hidden|Deprecated)\s*=\s*(.+)$/);
		if (marked) {
			const c = env.get(marked[1] ?? '');
			if (c instanceof Cmd && marked[2] === 'Hidden') c.hidden = marked[3]?.trim() === 'true';
			if (c instanceof Cmd && marked[2] === 'Deprecated') c.deprecated = true;
			return undefined;
		}
		const assign = s.match(/^([\w.]+(?:\s*,\s*[\w.]+)*)\s*(?::=|=)(?!=)\s*([\s\S]+)$/);
		if (assign) {
			const lhs = (assign[1] ?? '').split(',').map((x) => x.trim());
			const rhs = splitTop(assign[2] ?? '', ',');
			let values: Value[];
			if (rhs.length === 1 && lhs.length > 1) values = this.exprMulti(rhs[0] ?? '', env, f);
			else values = rhs.map((e) => this.expr(e, env, f));
			lhs.forEach((name, i) => {
				if (!name.includes('.') && name !== '_') env.set(name, values[i]);
			});
			return undefined;
		}
		this.expr(s, env, f);
		return undefined;
	}

	/** All results of a call expression (for `a, b, err := f()`). */
	private exprMulti(e: string, env: Map<string, Value>, f: GoFunc): Value[] {
		const holder: Value[][] = [];
		const v = this.expr(e, env, f, holder);
		return holder[0] ?? [v];
	}

	private lookup(name: string, env: Map<string, Value>, f: GoFunc): Value {
		if (env.has(name)) return env.get(name);
		if (name === 'pflagCommandLine') return this.commandLine;
		const imported = this.importsByFile.get(f.file)?.get(name);
		if (imported) return new Pkg(imported);
		// Otherwise a package-level variable (helm's `settings`) or a value the reader does not model.
		return this.constsByDir.get(f.dir)?.get(name) ?? new PkgVar(f.dir);
	}

	private expr(raw: string, env: Map<string, Value>, f: GoFunc, multi?: Value[][]): Value {
		let e = raw.trim().replace(/^&/, '');
		if (!e) return;
		if (/^"/.test(e) || /^`/.test(e)) {
			const end = stringEnd(e, 0);
			const lit = e.slice(1, end - 1);
			return e[0] === '"' ? lit.replace(/\\(.)/g, '$1') : lit;
		}
		if (e.startsWith('cobra.Command{')) return this.command(e.slice(e.indexOf('{')), env, f);
		const slice = e.match(/^\[\]\*?[\w.]+\{/);
		if (slice) {
			const open = slice[0].length - 1;
			return splitTop(e.slice(open + 1, matching(e, open)), ',').map((x) => this.expr(x, env, f));
		}
		if (/^pflag\.NewFlagSet\(/.test(e)) return new FlagSet();
		if (/^pflag\.CommandLine\b/.test(e)) e = e.replace(/^pflag\.CommandLine/, 'pflagCommandLine');
		// A chain: primary, then `.name`, `(args)`, `[index]`.
		const head = e.match(/^(\w+)/);
		if (!head) return;
		let i = head[0].length;
		const name = head[1] ?? '';
		let value: Value = this.lookup(name, env, f);
		if (e[i] === '{') value = undefined; // a literal of a type of this package
		let pending: string | undefined = undefined; // a method name waiting for its arguments
		let calledFunc = false;
		const localFunc = () => this.load(f.dir).filter((g) => g.name === name && !g.recv);
		if (e[i] === '(' && value instanceof BoundDef) {
			pending = value.method;
			value = value.set;
		} else if (e[i] === '(' && !env.has(name)) {
			pending = name;
			value = new Pkg(f.dir);
			calledFunc = true;
		}
		while (i < e.length) {
			const c = e[i];
			if (c === '.') {
				const m = e.slice(i + 1).match(/^(\w+)/);
				if (!m) return;
				pending = m[1];
				i += 1 + (m[1]?.length ?? 0);
				if (e[i] !== '(') {
					// A field, or a constant of another package.
					if (value instanceof Pkg) {
						this.load(value.dir);
						value =
							this.constsByDir.get(value.dir)?.get(pending ?? '') ??
							new PkgVar(value.dir, pending ?? '');
					} else if (value instanceof Struct) value = value.fields.get(pending ?? '');
					else if (value instanceof FlagSet && definer.test(pending ?? ''))
						value = new BoundDef(value, pending ?? '');
					else value = undefined;
					pending = undefined;
				}
			} else if (c === '(') {
				const end = matching(e, i);
				const argText = e.slice(i + 1, end);
				i = end + 1;
				if (pending === undefined) return;
				const results: Value[] = this.invoke(
					value,
					pending,
					argText,
					env,
					f,
					calledFunc ? localFunc() : undefined
				);
				calledFunc = false;
				if (multi && i >= e.length) multi.push(results);
				value = results[0];
				pending = undefined;
			} else if (c === '[') {
				i = matching(e, i) + 1;
				value = undefined;
			} else if (c === '{') {
				// A struct literal: its string and command fields are kept (`Use: config.CommandUsage`).
				const end = matching(e, i);
				const st = new Struct(
					value instanceof PkgVar ? { dir: value.dir, name: value.name } : { dir: f.dir, name }
				);
				for (const field of splitTop(e.slice(i + 1, end), ',\n')) {
					const m = field.match(/^(\w+)\s*:\s*([\s\S]+)$/);
					if (m) st.fields.set(m[1] ?? '', this.expr(m[2] ?? '', env, f));
				}
				value = st;
				i = end + 1;
			} else break;
		}
		return value;
	}

	private command(lit: string, env: Map<string, Value>, f: GoFunc): Cmd {
		const cmd = new Cmd();
		const body = lit.slice(1, matching(lit, 0));
		for (const field of splitTop(body, ',\n')) {
			const m = field.match(/^(\w+)\s*:\s*([\s\S]+)$/);
			if (!m) continue;
			const [, key, val = ''] = m;
			if (key === 'Use') {
				const use = this.expr(val, env, f);
				cmd.name = typeof use === 'string' ? (use.trim().split(/\s+/)[0] ?? '') : '';
			} else if (key === 'Aliases') {
				const list = this.expr(val, env, f);
				if (Array.isArray(list))
					cmd.aliases = list.filter((x): x is string => typeof x === 'string');
			} else if (key === 'Run' || key === 'RunE') cmd.runnable = true;
			else if (key === 'Hidden') cmd.hidden = val.trim() === 'true';
			else if (key === 'Deprecated') cmd.deprecated = true;
		}
		return cmd;
	}

	private invoke(
		recv: Value,
		method: string,
		argText: string,
		env: Map<string, Value>,
		f: GoFunc,
		localCandidates?: GoFunc[]
	): Value[] {
		const argExprs = splitTop(argText, ',');
		const args = () => argExprs.map((a) => this.expr(a.replace(/\.\.\.$/, ''), env, f));
		if (recv instanceof Cmd) {
			switch (method) {
				case 'AddCommand':
					for (const a of args().flat()) if (a instanceof Cmd) recv.children.push(a);
					return [];
				case 'Flags':
				case 'LocalFlags':
				case 'NonInheritedFlags':
					return [recv.local];
				case 'PersistentFlags':
					return [recv.persistent];
				default:
					break;
			}
		}
		if (recv instanceof FlagSet) {
			const def = method.match(definer);
			if (def) {
				const a = args();
				// Var/VarP take the pflag.Value first, like the *Var forms take a pointer.
				const off = def[2] || def[1] === 'Var' ? 1 : 0;
				const name = a[off];
				if (typeof name !== 'string' || !name) {
					this.unresolved.add(`${f.dir}: flag name ${argExprs[off] ?? '?'} in ${method}`);
					return [];
				}
				const short = def[3] ? a[off + 1] : undefined;
				const none = def[1] === 'Bool' || def[1] === 'Count' || def[1] === 'BoolFunc';
				const spec: FlagSpec = { value: none ? 'none' : 'required' };
				if (typeof short === 'string' && short) spec.short = short;
				recv.flags.set(name, spec);
				return [];
			}
			if (method === 'AddFlagSet') {
				for (const a of args().flat())
					if (a instanceof FlagSet) for (const [k, v] of a.flags) recv.flags.set(k, { ...v });
				return [];
			}
			if (method === 'AddFlag') {
				// pflag.PFlagFromGoFlag(&goflag.Flag{Name: "vklog", ...}): a Go flag with a value.
				const name = argText.match(/\bName:\s*"([^"]+)"/)?.[1];
				if (name) recv.flags.set(name, { value: 'required' });
				return [];
			}
			if (method === 'Lookup') {
				const name = args()[0];
				return typeof name === 'string' ? [new FlagRef(recv, name)] : [];
			}
			return [];
		}
		if (recv instanceof Struct && recv.type) {
			const { dir, name } = recv.type;
			const own = this.load(dir).find(
				(g) => g.name === method && g.recv?.type.replace(/^\*/, '') === name
			);
			if (own) return this.call(own, args(), recv);
		}
		let candidates: GoFunc[];
		if (localCandidates) candidates = localCandidates;
		else if (recv instanceof Pkg)
			candidates = this.load(recv.dir).filter((g) => g.name === method && !g.recv);
		else {
			// A method on a value the reader does not model (an options struct): follow it only when
			// it is handed a command or a flag set or returns one. The same package comes first, then
			// the packages this file imports, then those near the receiver's package.
			const a = args();
			const near = [f.dir, ...(this.importsByFile.get(f.file)?.values() ?? [])];
			if (recv instanceof PkgVar) {
				near.push(recv.dir);
				for (const d of this.importsOfDir(recv.dir)) near.push(d);
			}
			for (const dir of near) {
				this.load(dir);
				const g = (this.methods.get(method) ?? []).find(
					(m) => m.dir === dir && (mentionsCobra(m) || a.some(relevant))
				);
				if (g) return this.call(g, a, undefined);
			}
			if (a.some(relevant)) this.unresolved.add(`${f.dir}: ${method}(${argText.slice(0, 40)})`);
			return [];
		}
		const g = candidates[0];
		if (!g) return [];
		const a = args();
		if (!mentionsCobra(g) && !a.some(relevant)) return [];
		return this.call(g, a, undefined);
	}
}

function relevant(v: Value): boolean {
	if (Array.isArray(v)) return v.some(relevant);
	return v instanceof Cmd || v instanceof FlagSet || v instanceof BoundDef;
}

function mentionsCobra(g: GoFunc): boolean {
	return /cobra\.Command|pflag\.FlagSet|flag\.Flag\b/.test(g.results);
}
