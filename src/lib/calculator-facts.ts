// The facts behind the overhead calculator's default figures sit below the calculator, so the
// facts checks (content.ts, scripts) read them without importing a feature.

/**
 * Facts (content/facts) behind each default figure, shown as evidence links under the
 * calculator. Istio's usage figures come from istio.io's benchmark page, not from a source file.
 */
export const figureFacts = {
	sidecarRequest: ['istio-sidecar-requests'],
	sidecarCpu: ['istio-sidecar-requests'],
	waypointRequest: ['istio-waypoint-requests'],
	waypointCpu: ['istio-waypoint-requests'],
	ztunnelRequest: ['istio-ztunnel-requests'],
	ztunnelCpu: ['istio-ztunnel-requests'],
	cniRequest: ['istio-cni-requests'],
	cniCpu: ['istio-cni-requests'],
	istiodRequest: ['istio-istiod-requests'],
	istiodCpu: ['istio-istiod-requests'],
	linkerdUsage: ['linkerd-proxy-memory-2021-benchmark'],
	linkerdRequest: ['linkerd-proxy-no-default-requests'],
	linkerdCpu: ['linkerd-proxy-no-default-requests'],
} as const satisfies Record<string, readonly string[]>;

/** Where the calculator's fact ids are written, for the unknown-id check's file:line. */
export const calculatorFactRefs = { file: 'src/lib/calculator-facts.ts', lists: figureFacts };
