import { expect, it } from 'vitest';
import { unbackedCandidates } from './unbacked.ts';

it('finds ports, flags, keys and versions in prose, not in code, links or <Fact>', () => {
	const mdx = [
		'---',
		'title: t',
		'---',
		'ztunnel listens on port 15008 and `--set revision=x` needs `istio.io/rev`, from v1.2.1.',
		'```bash',
		'helm install --wait istio.io/foo 1.2.3',
		'```',
		'<Fact id="istio-hbone-port" /> and [a link](https://example.com/a.b/c) and apiVersion gateway.networking.k8s.io/v1',
		'Backed: port 15008 <Fact id="istio-hbone-port" show="source" />, unbacked: `linkerd.io/inject`.',
	].join('\n');
	expect(unbackedCandidates(mdx, 'p.mdx').map((c) => `${c.line} ${c.kind} ${c.text}`)).toEqual([
		'4 port port 15008',
		'4 flag --set',
		'4 key istio.io/rev',
		'4 version v1.2.1',
		'9 key linkerd.io/inject',
	]);
});

it('leaves flags of inline istioctl/linkerd/helm commands to the CLI check, and nothing else', () => {
	const mdx = [
		'Run `linkerd check --proxy` and `istioctl waypoint apply -n <ns> --enroll-namespace --wait`.',
		'A bare `--reuse-values`, `kubectl apply --server-side` and `helm` alone stay candidates.',
		'Shown as what not to type: `istioctl x --no-such-flag` {/* cli-check: ignore */}',
	].join('\n');
	expect(unbackedCandidates(mdx, 'p.mdx').map((c) => `${c.line} ${c.kind} ${c.text}`)).toEqual([
		'2 flag --reuse-values',
		'2 flag --server-side',
		'3 flag --no-such-flag',
	]);
});

it('reads a Linkerd edge release name as a name, not a value, and skips URIs of any scheme', () => {
	const mdx = [
		'From edge-26.8.2 on, Linkerd reads Gateway API v1.5.1 types.',
		'SPIFFE IDs look like `spiffe://cluster.local/ns/default/sa/web`; the key `linkerd.io/inject` is one.',
	].join('\n');
	expect(unbackedCandidates(mdx, 'p.mdx').map((c) => `${c.line} ${c.kind} ${c.text}`)).toEqual([
		'1 version v1.5.1',
		'2 key linkerd.io/inject',
	]);
});

it('counts a <Fact> that opens the next line of the paragraph as right after the claim', () => {
	const mdx = [
		'Linkerd edge releases read Gateway API v1.5.1',
		'<Fact id="linkerd-edge-26-8-2-gateway-api-v1-5-1" /> and the 2.20 tag reads v1.2.1.',
		'',
		'<Fact id="x" /> does not back port 15008 on the line before a blank line.',
	].join('\n');
	expect(unbackedCandidates(mdx, 'p.mdx').map((c) => `${c.line} ${c.kind} ${c.text}`)).toEqual([
		'2 version v1.2.1',
		'4 port port 15008',
	]);
});

it("does not take the reader's own HTTP ports for mesh facts, but still flags other ports", () => {
	const mdx =
		'The gateways do not compete for ports 80 and 443; the app listens on port 8080, the proxy on port 4143.';
	expect(unbackedCandidates(mdx, 'p.mdx').map((c) => `${c.kind} ${c.text}`)).toEqual([
		'port port 4143',
	]);
});

it('counts a <Fact> in the same paragraph as backing a flag or key only when the fact states it', () => {
	const said: Record<string, string> = {
		'helm-drops': '`helm upgrade` with any `--set` starts from the chart defaults.',
		timeouts: 'Linkerd reads `timeout.linkerd.io/request` and `timeout.linkerd.io/response`.',
	};
	const mdx = [
		'<Fact id="timeouts" show="value" /> (or `timeout.linkerd.io/response`) on the Service.',
		'A `helm upgrade` given any `--set` (or a `--set-file`) starts over, as the chart',
		'defaults win and nothing of the old release stays <Fact id="helm-drops" show="source" />;',
		'still unbacked here: `--reuse-values` and `timeout.linkerd.io/idle`.',
		'',
		'Another paragraph: `--set` and `timeout.linkerd.io/response` again.',
	].join('\n');
	const found = (stated?: (id: string) => string | undefined) =>
		unbackedCandidates(mdx, 'p.mdx', stated).map((c) => `${c.line} ${c.kind} ${c.text}`);
	expect(found((id) => said[id])).toEqual([
		'2 flag --set-file',
		'4 flag --reuse-values',
		'4 key timeout.linkerd.io/idle',
		'6 flag --set',
		'6 key timeout.linkerd.io/response',
	]);
	// Without the registry, only the 60-character rule applies.
	expect(found()).toEqual([
		'1 key timeout.linkerd.io/response',
		'2 flag --set',
		'2 flag --set-file',
		'4 flag --reuse-values',
		'4 key timeout.linkerd.io/idle',
		'6 flag --set',
		'6 key timeout.linkerd.io/response',
	]);
});
