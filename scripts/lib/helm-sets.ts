import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { extractShellBlocks } from './shell-check.ts';

/** One `--set`, `--set-string` or `--set-file` key in a Helm command on the site. */
export interface HelmSet {
	file: string;
	/** 1-based line in the source file. */
	line: number;
	chart: string;
	/** `--version` on the command line, if any. */
	version: string | undefined;
	key: string;
}

/** Helm repository chart names on the site → folders of vendor/upstream/charts/<release>/. */
const chartFolders: Record<string, string[]> = {
	'istio/base': ['base'],
	'istio/istiod': ['istio-control/istio-discovery'],
	'istio/cni': ['istio-cni'],
	'istio/ztunnel': ['ztunnel'],
	'istio/gateway': ['gateway'],
	'linkerd-control-plane': ['linkerd-control-plane', 'partials'],
	'linkerd-crds': ['linkerd-crds', 'partials'],
	'linkerd2-cni': ['linkerd2-cni', 'partials'],
};

/** Keys whose values are free-form maps in the charts: anything below them is the user's. */
const openMaps = new Set([
	'meshConfig',
	'podAnnotations',
	'podLabels',
	'nodeSelector',
	'labels',
	'annotations',
	'env',
	'tolerations',
	'affinity',
]);

/** Keys that Istio's charts accept through profiles rather than values.yaml. */
const profileKeys = new Set(['profile', 'global.platform']);

/** Every Helm `--set*` key in a page's shell blocks, with the chart and version it applies to. */
export function extractHelmSets(file: string, source: string): HelmSet[] {
	const out: HelmSet[] = [];
	for (const block of extractShellBlocks(file, source)) {
		const lines = block.code.split('\n');
		for (let i = 0; i < lines.length; i++) {
			let command = lines[i] ?? '';
			const start = i;
			while (command.endsWith('\\') && i + 1 < lines.length)
				command = command.slice(0, -1) + '\n' + lines[++i];
			const m = command.match(/\bhelm\s+(?:install|upgrade|template)\s+\S+\s+(\S+)/);
			if (!m?.[1]) continue;
			const chartRef = m[1];
			const chart = chartRef.startsWith('istio/') ? chartRef : chartRef.replace(/^[^/]+\//, '');
			const version = command.match(/--version[\s=]+(\S+)/)?.[1];
			for (const s of command.matchAll(/--set(?:-string|-file|-json)?[\s=]+'?([^=\s']+)=/g)) {
				const key = s[1] ?? '';
				const offset = command.slice(0, s.index).split('\n').length - 1;
				out.push({ file, line: block.line + start + offset, chart, version, key });
			}
		}
	}
	return out;
}

/** Which vendored chart release a command reads: its --version, else the page's verified version. */
export function chartRelease(set: HelmSet, verifiedIstio: string): string {
	if (!set.chart.startsWith('istio/')) return 'linkerd-version-2.20';
	const minor = (set.version ?? verifiedIstio).match(/^1\.(\d+)/)?.[1];
	return minor === '30' ? 'istio-1.30.3' : 'istio-1.31.0-rc.0';
}

function hasPath(values: unknown, path: string[]): boolean {
	let node: unknown = values;
	for (const part of path) {
		if (openMaps.has(part)) return true;
		if (!node || typeof node !== 'object' || Array.isArray(node)) return false;
		const obj = node as Record<string, unknown>;
		if (Object.keys(obj).length === 0) return true;
		if (!(part in obj)) return false;
		node = obj[part];
	}
	return true;
}

const cache = new Map<string, unknown[]>();
function valuesOf(root: string, release: string, chart: string): unknown[] | undefined {
	const folders = chartFolders[chart];
	if (!folders) return undefined;
	const id = `${release}/${chart}`;
	if (!cache.has(id))
		cache.set(
			id,
			folders
				.map((f) => join(root, release, f, 'values.yaml'))
				.filter((p) => existsSync(p))
				.map((p) => {
					const v = (parse(readFileSync(p, 'utf8')) ?? {}) as Record<string, unknown>;
					return v['_internal_defaults_do_not_set'] ?? v;
				})
		);
	return cache.get(id);
}

/** A message per key the chart's values.yaml does not have, naming file, line, chart and release read. */
export function checkHelmSet(
	set: HelmSet,
	release: string,
	root = 'vendor/upstream/charts'
): string[] {
	const values = valuesOf(root, release, set.chart);
	const where = `${set.file}:${set.line}`;
	if (!values || values.length === 0)
		return [
			`${where}: chart ${set.chart} is not vendored in ${root}/${release}; add its values.yaml`,
		];
	const key = set.key.replace(/\[\d+\]/g, '');
	if (profileKeys.has(key)) return [];
	const path = key.split('.');
	if (values.some((v) => hasPath(v, path))) return [];
	return [`${where}: --set ${set.key}: no such key in ${set.chart} values.yaml (${release})`];
}
