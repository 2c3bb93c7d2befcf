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
