/**
 * The mesh overhead calculator: pure arithmetic, shared by the server-rendered default result,
 * the interactive element and the tests.
 */

/** Per-proxy memory in MiB: measured usage and default request. */
export interface Figures {
	sidecarUsage: number;
	sidecarRequest: number;
	waypointUsage: number;
	waypointRequest: number;
	ztunnelUsage: number;
	ztunnelRequest: number;
	linkerdUsage: number;
	linkerdRequest: number;
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

/** Sourced defaults (see /operate/overhead/): Istio 1.24 benchmark and Helm values; Buoyant's 2021 benchmark. */
export const defaults: Inputs = {
	pods: 100,
	nodes: 10,
	waypoints: 3,
	load: 1,
	sidecarUsage: 60,
	sidecarRequest: 128,
	waypointUsage: 60,
	waypointRequest: 128,
	ztunnelUsage: 12,
	ztunnelRequest: 512,
	linkerdUsage: 26,
	linkerdRequest: 0,
};

const limits: Record<keyof Inputs, { min: number; max: number; label: string; integer: boolean }> =
	{
		pods: { min: 0, max: 1_000_000, label: 'Pods', integer: true },
		nodes: { min: 0, max: 100_000, label: 'Nodes', integer: true },
		waypoints: { min: 0, max: 100_000, label: 'Waypoints', integer: true },
		load: { min: 0, max: 100, label: 'Load factor', integer: false },
		sidecarUsage: { min: 0, max: 100_000, label: 'Istio sidecar usage', integer: false },
		sidecarRequest: { min: 0, max: 100_000, label: 'Istio sidecar request', integer: false },
		waypointUsage: { min: 0, max: 100_000, label: 'Waypoint usage', integer: false },
		waypointRequest: { min: 0, max: 100_000, label: 'Waypoint request', integer: false },
		ztunnelUsage: { min: 0, max: 100_000, label: 'ztunnel usage', integer: false },
		ztunnelRequest: { min: 0, max: 100_000, label: 'ztunnel request', integer: false },
		linkerdUsage: { min: 0, max: 100_000, label: 'linkerd-proxy usage', integer: false },
		linkerdRequest: { min: 0, max: 100_000, label: 'linkerd-proxy request', integer: false },
	};

export const inputKeys = Object.keys(limits) as (keyof Inputs)[];

export function labelOf(key: keyof Inputs): string {
	return limits[key].label;
}

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
		const n = typeof v === 'number' ? v : Number(String(v).trim());
		const { min, max, label, integer } = limits[key];
		if (!Number.isFinite(n)) errors[key] = `${label} must be a number.`;
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
	/** Memory reserved by requests, MiB. */
	requests: number;
	/** The arithmetic, for display. */
	formula: string;
}

const round = (n: number) => Math.round(n * 10) / 10;

/** Memory each option costs for the given cluster. */
export function calculate(i: Inputs): OptionCost[] {
	return [
		{
			id: 'istio-sidecar',
			label: 'Istio, sidecars',
			usage: round(i.pods * i.sidecarUsage * i.load),
			requests: round(i.pods * i.sidecarRequest),
			formula: `pods × sidecar (usage × load | request) = ${i.pods} × (${i.sidecarUsage} × ${i.load} | ${i.sidecarRequest})`,
		},
		{
			id: 'istio-ambient',
			label: 'Istio ambient, no waypoints',
			usage: round(i.nodes * i.ztunnelUsage * i.load),
			requests: round(i.nodes * i.ztunnelRequest),
			formula: `nodes × ztunnel = ${i.nodes} × (${i.ztunnelUsage} × ${i.load} | ${i.ztunnelRequest})`,
		},
		{
			id: 'istio-ambient-waypoints',
			label: 'Istio ambient with waypoints',
			usage: round((i.nodes * i.ztunnelUsage + i.waypoints * i.waypointUsage) * i.load),
			requests: round(i.nodes * i.ztunnelRequest + i.waypoints * i.waypointRequest),
			formula: `nodes × ztunnel + waypoints × waypoint = ${i.nodes} × (${i.ztunnelUsage} | ${i.ztunnelRequest}) + ${i.waypoints} × (${i.waypointUsage} | ${i.waypointRequest})`,
		},
		{
			id: 'linkerd',
			label: 'Linkerd',
			usage: round(i.pods * i.linkerdUsage * i.load),
			requests: round(i.pods * i.linkerdRequest),
			formula: `pods × linkerd-proxy = ${i.pods} × (${i.linkerdUsage} × ${i.load} | ${i.linkerdRequest})`,
		},
	];
}

/** MiB as a short human figure: "12.5 GiB", "640 MiB". */
export function formatMiB(mib: number): string {
	if (!Number.isFinite(mib)) return '–';
	return mib >= 1024
		? `${(mib / 1024).toFixed(mib >= 10240 ? 0 : 1)} GiB`
		: `${Math.round(mib)} MiB`;
}

/** Inputs that differ from the defaults, as URL parameters. */
export function toQuery(i: Inputs): string {
	const p = new URLSearchParams();
	for (const key of inputKeys) if (i[key] !== defaults[key]) p.set(key, String(i[key]));
	return p.toString();
}

/** Inputs from a URL query; bad values are reported and replaced by defaults. */
export function fromQuery(search: string): ReturnType<typeof parseInputs> {
	const params = new URLSearchParams(search);
	const raw: Partial<Record<keyof Inputs, string>> = {};
	for (const key of inputKeys) {
		const v = params.get(key);
		if (v !== null) raw[key] = v.slice(0, 40);
	}
	return parseInputs(raw);
}
