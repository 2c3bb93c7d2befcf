import { figureFacts } from '../../lib/calculator-facts.ts';

/**
 * The mesh overhead calculator: pure arithmetic, shared by the server-rendered default result,
 * the interactive element and the tests.
 */

import { editQuery, readParam, type ParamChanges } from '../../lib/url-state';

/**
 * Per-component figures: memory in MiB (measured usage and default request) and CPU requests in
 * millicores. Requests are what the scheduler reserves, so they count whether used or not.
 */
export interface Figures {
	sidecarUsage: number;
	sidecarRequest: number;
	sidecarCpu: number;
	waypointUsage: number;
	waypointRequest: number;
	waypointCpu: number;
	ztunnelUsage: number;
	ztunnelRequest: number;
	ztunnelCpu: number;
	cniRequest: number;
	cniCpu: number;
	istiodRequest: number;
	istiodCpu: number;
	linkerdUsage: number;
	linkerdRequest: number;
	linkerdCpu: number;
}

export interface Inputs extends Figures {
	/** Meshed pods. */
	pods: number;
	/** Nodes (one ztunnel each). */
	nodes: number;
	/** Waypoints: namespaces or services that need L7 features in ambient mode. */
	waypoints: number;
	/** Load relative to the benchmark the usage figures come from (1 = 1,000 requests per second per proxy). */
	load: number;
}

/**
 * Sourced defaults (see /operate/overhead/): usage from Istio's 1.24 benchmark and Buoyant's 2021
 * benchmark; requests from the Istio 1.30/1.31 and Linkerd 2.20 Helm charts' values.yaml.
 */
export const defaults: Inputs = {
	pods: 100,
	nodes: 10,
	waypoints: 3,
	load: 1,
	sidecarUsage: 60,
	sidecarRequest: 128,
	sidecarCpu: 100,
	waypointUsage: 60,
	waypointRequest: 128,
	waypointCpu: 100,
	ztunnelUsage: 12,
	ztunnelRequest: 512,
	ztunnelCpu: 200,
	cniRequest: 100,
	cniCpu: 100,
	istiodRequest: 2048,
	istiodCpu: 500,
	linkerdUsage: 26,
	linkerdRequest: 0,
	linkerdCpu: 0,
};

export { figureFacts };

const limits: Record<keyof Inputs, { min: number; max: number; label: string; integer: boolean }> =
	{
		pods: { min: 0, max: 1_000_000, label: 'Pods', integer: true },
		nodes: { min: 0, max: 100_000, label: 'Nodes', integer: true },
		waypoints: { min: 0, max: 100_000, label: 'Waypoints', integer: true },
		load: { min: 0, max: 100, label: 'Load factor', integer: false },
		sidecarUsage: { min: 0, max: 100_000, label: 'Istio sidecar usage', integer: false },
		sidecarRequest: { min: 0, max: 100_000, label: 'Istio sidecar request', integer: false },
		sidecarCpu: { min: 0, max: 100_000, label: 'Istio sidecar CPU (m)', integer: false },
		waypointUsage: { min: 0, max: 100_000, label: 'Waypoint usage', integer: false },
		waypointRequest: { min: 0, max: 100_000, label: 'Waypoint request', integer: false },
		waypointCpu: { min: 0, max: 100_000, label: 'Waypoint CPU (m)', integer: false },
		ztunnelUsage: { min: 0, max: 100_000, label: 'ztunnel usage', integer: false },
		ztunnelRequest: { min: 0, max: 100_000, label: 'ztunnel request', integer: false },
		ztunnelCpu: { min: 0, max: 100_000, label: 'ztunnel CPU (m)', integer: false },
		cniRequest: { min: 0, max: 100_000, label: 'istio-cni request', integer: false },
		cniCpu: { min: 0, max: 100_000, label: 'istio-cni CPU (m)', integer: false },
		istiodRequest: { min: 0, max: 100_000, label: 'istiod request', integer: false },
		istiodCpu: { min: 0, max: 100_000, label: 'istiod CPU (m)', integer: false },
		linkerdUsage: { min: 0, max: 100_000, label: 'linkerd-proxy usage', integer: false },
		linkerdRequest: { min: 0, max: 100_000, label: 'linkerd-proxy request', integer: false },
		linkerdCpu: { min: 0, max: 100_000, label: 'linkerd-proxy CPU (m)', integer: false },
	};

export const inputKeys = Object.keys(limits) as (keyof Inputs)[];

export function labelOf(key: keyof Inputs): string {
	return limits[key].label;
}

/**
 * A plain decimal number, as a reader types one: `120`, `0.5`, `-3` (refused later as negative).
 * `Number()` alone would also read `0x10` as 16, `1e3` as 1000 and `0b11` as 3.
 */
const decimal = /^-?(?:\d+(?:\.\d*)?|\.\d+)$/;

/** Checks raw values (from a form or a URL); returns clean inputs or one message per bad field. */
export function parseInputs(raw: Partial<Record<keyof Inputs, string | number | undefined>>): {
	inputs: Inputs;
	errors: Partial<Record<keyof Inputs, string>>;
} {
	const inputs = { ...defaults };
	const errors: Partial<Record<keyof Inputs, string>> = {};
	for (const key of inputKeys) {
		const v = raw[key];
		if (v === undefined || v === '') continue;
		const text = String(v).trim();
		const n = typeof v === 'number' ? v : decimal.test(text) ? Number(text) : NaN;
		const { min, max, label, integer } = limits[key];
		if (!Number.isFinite(n))
			errors[key] = `${label} must be a number in digits, such as 120 or 0.5.`;
		else if (n < min) errors[key] = `${label} cannot be negative.`;
		else if (n > max) errors[key] = `${label} must be at most ${max.toLocaleString('en')}.`;
		else if (integer && !Number.isInteger(n)) errors[key] = `${label} must be a whole number.`;
		else inputs[key] = n;
	}
	return { inputs, errors };
}

export interface OptionCost {
	id: 'istio-sidecar' | 'istio-ambient' | 'istio-ambient-waypoints' | 'linkerd';
	label: string;
	/** Expected memory use, MiB. */
	usage: number;
	/** Memory reserved by requests, MiB, control plane included. */
	requests: number;
	/** CPU reserved by requests, millicores, control plane included. */
	cpu: number;
	/** The arithmetic, for display. */
	formula: string;
}

const round = (n: number) => Math.round(n * 10) / 10;

/**
 * Memory and CPU each option costs for the given cluster. Usage counts the proxies (the only
 * parts with published measurements); requests also count what every option must run besides:
 * istiod's one replica (its HPA may add up to four more) and, in ambient, istio-cni on every node.
 * Linkerd's default install sets no requests; its HA values request 20Mi and 100m per proxy
 * (enter them as the linkerd-proxy request), plus requests for its control plane.
 */
export function calculate(i: Inputs): OptionCost[] {
	const perNode = i.ztunnelRequest + i.cniRequest;
	const perNodeCpu = i.ztunnelCpu + i.cniCpu;
	return [
		{
			id: 'istio-sidecar',
			label: 'Istio, sidecars',
			usage: round(i.pods * i.sidecarUsage * i.load),
			requests: round(i.pods * i.sidecarRequest + i.istiodRequest),
			cpu: round(i.pods * i.sidecarCpu + i.istiodCpu),
			formula: `pods × sidecar + istiod = ${i.pods} × (${i.sidecarUsage} × ${i.load} | ${i.sidecarRequest} Mi, ${i.sidecarCpu}m) + (${i.istiodRequest} Mi, ${i.istiodCpu}m)`,
		},
		{
			id: 'istio-ambient',
			label: 'Istio ambient, no waypoints',
			usage: round(i.nodes * i.ztunnelUsage * i.load),
			requests: round(i.nodes * perNode + i.istiodRequest),
			cpu: round(i.nodes * perNodeCpu + i.istiodCpu),
			formula: `nodes × (ztunnel + istio-cni) + istiod = ${i.nodes} × (${i.ztunnelUsage} × ${i.load} | ${i.ztunnelRequest} + ${i.cniRequest} Mi, ${i.ztunnelCpu} + ${i.cniCpu}m) + (${i.istiodRequest} Mi, ${i.istiodCpu}m)`,
		},
		{
			id: 'istio-ambient-waypoints',
			label: 'Istio ambient with waypoints',
			usage: round((i.nodes * i.ztunnelUsage + i.waypoints * i.waypointUsage) * i.load),
			requests: round(i.nodes * perNode + i.waypoints * i.waypointRequest + i.istiodRequest),
			cpu: round(i.nodes * perNodeCpu + i.waypoints * i.waypointCpu + i.istiodCpu),
			formula: `… + waypoints × waypoint = ambient + ${i.waypoints} × (${i.waypointUsage} × ${i.load} | ${i.waypointRequest} Mi, ${i.waypointCpu}m)`,
		},
		{
			id: 'linkerd',
			label: 'Linkerd',
			usage: round(i.pods * i.linkerdUsage * i.load),
			requests: round(i.pods * i.linkerdRequest),
			cpu: round(i.pods * i.linkerdCpu),
			formula: `pods × linkerd-proxy = ${i.pods} × (${i.linkerdUsage} × ${i.load} | ${i.linkerdRequest} Mi, ${i.linkerdCpu}m)`,
		},
	];
}

/** Millicores as cores: "10.5 cores", "0 cores", "500m". */
export function formatCpu(milli: number): string {
	if (!Number.isFinite(milli)) return '–';
	return milli < 1000 ? `${Math.round(milli)}m` : `${(milli / 1000).toFixed(1)} cores`;
}

/** MiB as a short human figure: "12.5 GiB", "640 MiB". */
export function formatMiB(mib: number): string {
	if (!Number.isFinite(mib)) return '–';
	return mib >= 1024
		? `${(mib / 1024).toFixed(mib >= 10240 ? 0 : 1)} GiB`
		: `${Math.round(mib)} MiB`;
}

/** The calculator's parameters for these inputs: a value where it differs from the default. */
export function queryChanges(i: Inputs): ParamChanges {
	return Object.fromEntries(
		inputKeys.map((key) => [key, i[key] === defaults[key] ? null : String(i[key])])
	);
}

/** Inputs that differ from the defaults, as URL parameters. */
export function toQuery(i: Inputs): string {
	return editQuery('', queryChanges(i));
}

/** Inputs from a URL query; bad values are reported and replaced by defaults. */
export function fromQuery(search: string): ReturnType<typeof parseInputs> {
	const raw: Partial<Record<keyof Inputs, string>> = {};
	for (const key of inputKeys) {
		const v = readParam(search, key);
		if (v !== null) raw[key] = v.slice(0, 40);
	}
	return parseInputs(raw);
}

/** Longest bar of the chart, in SVG units. */
export const barMax = 300;

/**
 * What the table and chart show for each option: the server draws it for the defaults and the
 * script redraws it on every change, from this one function.
 */
export function display(result: OptionCost[]) {
	const max = Math.max(...result.flatMap((r) => [r.usage, r.requests]), 1);
	return result.map((r) => ({
		id: r.id,
		label: r.label,
		formula: r.formula,
		cells: { usage: formatMiB(r.usage), requests: formatMiB(r.requests), cpu: formatCpu(r.cpu) },
		bars: { usage: (r.usage / max) * barMax, requests: (r.requests / max) * barMax },
		caption: `usage ${formatMiB(r.usage)} · requests ${formatMiB(r.requests)}`,
	}));
}
