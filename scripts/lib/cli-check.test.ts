import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cliCheck } from '../../src/integrations/cli-check.ts';
import {
	checkCommand,
	checkContent,
	contentFiles,
	drift,
	extractCommands,
	formatFinding,
	splitCommands,
} from './cli-check.ts';
import { counts, loadReference, readReleaseMap } from './cli-reference.ts';

const fixture = 'scripts/lib/fixtures/cli';

function one(code: string, file = 'page.mdx') {
	const source = `---\nverified: { istio: '1.31', linkerd: '2.20' }\n---\n\n\`\`\`bash\n${code}\n\`\`\`\n`;
	return extractCommands(file, source);
}

describe('reading shell code', () => {
	it('follows continuations, pipes, &&, $(...), quotes and here-documents, keeping source lines', () => {
		const code = [
			'linkerd viz stat deploy \\',
			'  -n "shop" | grep web && echo "$(istioctl version --remote=false)"',
			"helm upgrade a b --set 'x=a b' # a comment --not-a-flag",
			'kubectl apply -f - <<EOF',
			'linkerd --inside-heredoc',
			'EOF',
			'istioctl proxy-config cluster <pod> -n <namespace> 2>&1 > out.txt',
		].join('\n');
		const words = splitCommands(code, 10).map((c) => c.map((w) => `${w.line}:${w.text}`));
		expect(words).toEqual([
			['10:linkerd', '10:viz', '10:stat', '10:deploy', '11:-n', '11:shop'],
			['11:grep', '11:web'],
			['11:istioctl', '11:version', '11:--remote=false'],
			['11:echo', '11:$(…)'],
			['12:helm', '12:upgrade', '12:a', '12:b', '12:--set', '12:x=a b'],
			['13:kubectl', '13:apply', '13:-f', '13:-'],
			[
				'16:istioctl',
				'16:proxy-config',
				'16:cluster',
				'16:PLACEHOLDER_pod',
				'16:-n',
				'16:PLACEHOLDER_namespace',
			],
		]);
	});

	it('picks out the three CLIs, after env assignments and sudo, and inline code in prose', () => {
		const source = [
			'---',
			"verified: { istio: '1.31', linkerd: '2.20' }",
			'---',
			'Run `istioctl analyze -A` first; `kubectl get pods` is not checked.',
			'',
			'```bash',
			'KUBECONFIG=x sudo ./bin/linkerd check',
			'kubectl get pods',
			'```',
			'',
			'```text output',
			'helm --not-a-command-it-is-output',
			'```',
		].join('\n');
		expect(extractCommands('p.mdx', source).map((c) => `${c.line} ${c.text}`)).toEqual([
			'7 linkerd check',
			'4 istioctl analyze -A',
		]);
	});
});

describe('checking a command against its reference', () => {
	const istio = loadReference('istioctl', '1.31.0-rc.0');
	const linkerd = loadReference('linkerd', 'version-2.20');
	const helm3 = loadReference('helm', 'v3.21.4');
	const check = (code: string, ref = istio) =>
		one(code).flatMap((c) => checkCommand(c, ref).map((f) => `${f.message}|${f.closest ?? ''}`));

	it('accepts subcommands, aliases, inherited and global flags, and values in every form', () => {
		expect(check('istioctl x describe pod web-1 -n shop --context=kind')).toEqual([]);
		expect(check('istioctl pc cluster web-1.shop --fqdn=a.b -o json')).toEqual([]);
		expect(check('istioctl ztunnel-config workload --workload-namespace shop -ojson')).toEqual([]);
		expect(
			check('linkerd --context kind viz stat deploy -n shop --time-window 1m', linkerd)
		).toEqual([]);
		expect(check('helm install a b --wait --dry-run --set x=1 -n ns', helm3)).toEqual([]);
	});

	it('names the unknown flag and the closest real one', () => {
		expect(check('istioctl ztunnel-config workload --workload-namspace shop')).toEqual([
			'unknown flag --workload-namspace|--workload-namespace',
		]);
		expect(check('linkerd check --proxxy', linkerd)).toEqual(['unknown flag --proxxy|--proxy']);
		expect(check('helm upgrade a b --reuse-value', helm3)).toEqual([
			'unknown flag --reuse-value|--reuse-values',
		]);
	});

	it('names an unknown subcommand and the closest real one', () => {
		expect(check('linkerd viz stats deploy', linkerd)).toEqual([
			'unknown command "stats" for "linkerd viz"|stat',
		]);
		expect(check('istioctl proxy-confg cluster')).toEqual([
			'unknown command "proxy-confg" for "istioctl"|proxy-config',
		]);
	});

	it('wants a value after a flag that takes one, and none after a boolean flag', () => {
		expect(check('istioctl proxy-config cluster web-1 -n')).toEqual([
			'flag -n (--namespace) needs a value|',
		]);
		expect(check('istioctl proxy-config cluster web-1 --fqdn --port 80')).toEqual([
			'flag --fqdn needs a value|',
		]);
		expect(check('linkerd check --proxy false', linkerd)).toEqual([
			'boolean flag --proxy does not read a separate value (cobra takes "false" as an argument); write --proxy=false|',
		]);
		expect(check('linkerd check --proxy=false', linkerd)).toEqual([]);
	});

	it('reads -h and --help on every command, and cobra help and completion on the root', () => {
		expect(check('istioctl waypoint apply -h')).toEqual([]);
		expect(check('istioctl help waypoint')).toEqual([]);
	});
});

describe('every istioctl, linkerd and helm command on the site', () => {
	const { commands, findings } = checkContent('content');

	it('is found in numbers worth checking', () => {
		expect(commands).toBeGreaterThan(100);
		const tools = contentFiles('content').flatMap((f) =>
			extractCommands(f, readFileSync(f, 'utf8')).map((c) => c.tool)
		);
		expect(new Set(tools)).toEqual(new Set(['istioctl', 'linkerd', 'helm']));
	});

	it('matches the CLI reference of the release its page names (Helm: both 3 and 4)', () => {
		expect(findings.map(formatFinding)).toEqual([]);
	});
});

describe('a mistake in a page', () => {
	it('fails the check with the file, the line, the command, the flag and the closest flag', () => {
		const { findings } = checkContent(fixture);
		expect(findings.map(formatFinding)).toEqual([
			`${fixture}/docs/commands.mdx:13: unknown flag --no-such-flag (istioctl 1.30.3); closest: --kubeconfig\n    istioctl ztunnel-config workload --workload-namespace <namespace> --no-such-flag`,
			`${fixture}/docs/commands.mdx:14: unknown command "stats" for "linkerd viz" (linkerd version-2.20); closest: stat\n    linkerd viz stats deploy`,
			`${fixture}/docs/commands.mdx:15: boolean flag --wait does not read a separate value (cobra takes "false" as an argument); write --wait=false (helm v3.21.4)\n    helm upgrade istiod istio/istiod -n istio-system --reuse-values --wait false`,
			`${fixture}/docs/commands.mdx:15: flag --wait does not read a separate value (cobra takes "false" as an argument); write --wait=false (helm v4.2.4)\n    helm upgrade istiod istio/istiod -n istio-system --reuse-values --wait false`,
			// The page says Istio 1.30: `manifest generate --output` came in 1.31.
			`${fixture}/docs/commands.mdx:19: unknown flag --output (istioctl 1.30.3); closest: --context\n    istioctl manifest generate --output out/`,
			`${fixture}/docs/commands.mdx:23: unknown flag --clinet (linkerd version-2.20); closest: --client\n    linkerd version --clinet`,
			`${fixture}/docs/commands.mdx:24: flag -n (--namespace) needs a value (istioctl 1.30.3)\n    istioctl proxy-config cluster <pod> -n`,
		]);
	});

	it('adding --no-such-flag to a command in a real page names that page and line', () => {
		const file = 'content/docs/linkerd/debugging.mdx';
		const source = readFileSync(file, 'utf8');
		const at = source.indexOf('\nlinkerd check\n');
		expect(at).toBeGreaterThan(0);
		const mutated = source.replace('\nlinkerd check\n', '\nlinkerd check --no-such-flag\n');
		const line = source.slice(0, at).split('\n').length + 1;
		const found = extractCommands(file, mutated).flatMap((c) =>
			checkCommand(c, loadReference('linkerd', 'version-2.20'))
		);
		expect(found.map((f) => `${f.file}:${f.line} ${f.word}`)).toEqual([
			`${file}:${line} --no-such-flag`,
		]);
	});

	it('fails the build before any page renders', () => {
		const hook = cliCheck().hooks['astro:build:start'] as (o: unknown) => void;
		const logger = { info: () => {}, warn: () => {} };
		const saved = process.env['KB_CONTENT_ROOT'];
		process.env['KB_CONTENT_ROOT'] = fixture;
		try {
			expect(() => hook({ logger })).toThrow(
				`${fixture}/docs/commands.mdx:13: unknown flag --no-such-flag`
			);
		} finally {
			if (saved === undefined) delete process.env['KB_CONTENT_ROOT'];
			else process.env['KB_CONTENT_ROOT'] = saved;
		}
		expect(() => hook({ logger })).not.toThrow();
	});
});

describe('drift between two vendored releases', () => {
	const site = contentFiles('content').flatMap((f) => extractCommands(f, readFileSync(f, 'utf8')));
	const map = readReleaseMap();
	const pairs = [
		['istioctl', map.istioctl['1.30'], map.istioctl['1.31']],
		['linkerd', map.linkerd['2.20'], map.linkerd['edge']],
		['helm', map.helm['3'], map.helm['4']],
	] as const;

	it('reports, per pair, the site commands that one release accepts and the other rejects', () => {
		const report = pairs.map(([tool, a = '', b = '']) => {
			const from = loadReference(tool, a);
			const to = loadReference(tool, b);
			const d = drift(site, from, to);
			const back = drift(site, to, from);
			return `${tool} ${a} -> ${b}: ${d.gone.length} gone, ${back.gone.length} only in ${a}`;
		});
		console.log(report.join('\n'));
		// Every command on the site runs on both Istio minors, on 2.20 and its edge, and on Helm 3 and 4.
		expect(report).toEqual([
			'istioctl 1.30.3 -> 1.31.0-rc.0: 0 gone, 0 only in 1.30.3',
			'linkerd version-2.20 -> edge-26.8.3: 0 gone, 0 only in version-2.20',
			'helm v3.21.4 -> v4.2.4: 0 gone, 0 only in v3.21.4',
		]);
	});

	it('names a command whose flag went, with the closest flag left', () => {
		const commands = [
			...one('helm list --all -n shop'),
			...one('helm repo add istio https://example.org --no-update'),
			...one('istioctl manifest generate --output out/'),
		];
		const helm = drift(commands, loadReference('helm', 'v3.21.4'), loadReference('helm', 'v4.2.4'));
		expect(helm.gone.map((f) => `${f.command}: ${f.word} -> ${f.closest}`)).toEqual([
			'helm list --all -n shop: --all -> --all-namespaces',
			'helm repo add istio https://example.org --no-update: --no-update -> --force-update',
		]);
		const istio = drift(
			commands,
			loadReference('istioctl', '1.31.0-rc.0'),
			loadReference('istioctl', '1.30.3')
		);
		expect(istio.gone.map((f) => `${f.command}: ${f.word}`)).toEqual([
			'istioctl manifest generate --output out/: --output',
		]);
		expect(istio.fixed).toEqual([]);
	});

	it('vendors every release the release map names, each with commands and flags', () => {
		for (const [tool, releases] of Object.entries(map))
			for (const release of Object.values(releases)) {
				const n = counts(loadReference(tool as 'helm', release));
				expect(n.commands, `${tool} ${release}`).toBeGreaterThan(40);
				expect(n.flags, `${tool} ${release}`).toBeGreaterThan(300);
			}
	});
});
