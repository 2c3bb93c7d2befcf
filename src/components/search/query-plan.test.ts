import { describe, expect, it } from 'vitest';
import {
	camelParts,
	compares,
	intents,
	isNoise,
	keyTerms,
	normalise,
	partsOf,
	tokens,
} from './query-plan.ts';

const key = (raw: string) => keyTerms(normalise(raw));

describe('key terms', () => {
	it('drop stop words from typed questions', () => {
		expect(key('Do I need to restart pods after enabling Linkerd?')).toEqual([
			'restart',
			'pods',
			'linkerd',
		]);
		expect(key('Does ambient mode support windows')).toEqual([
			'ambient',
			'mode',
			'support',
			'windows',
		]);
	});

	// bench/tuning.yaml (istio/istio.io#15580): an issue title asks the docs to "mention" something;
	// that word is how it asks, not what it is about.
	it('drop the words that ask something of the docs rather than name the topic', () => {
		expect(key('Mention need to allowlist port 15008 in existing network policy')).toEqual([
			'allowlist',
			'port',
			'15008',
			'existing',
			'network',
			'policy',
		]);
		expect(key('document the trust anchor rotation, please explain it clearly')).toEqual([
			'trust',
			'anchor',
			'rotation',
		]);
	});

	// bench/tuning.yaml (linkerd/linkerd2#7279, linkerd/linkerd2#4287): "due", "more" and "per" are
	// function words; "guide" and "information" ask for docs, they do not say about what.
	it('drop function words and the words that ask for a guide', () => {
		expect(key('prometheus operator install fails due to proxy container')).toEqual([
			'prometheus',
			'operator',
			'install',
			'fails',
			'proxy',
			'container',
		]);
		expect(key('Guide for manually rotating control plane needs more information')).toEqual([
			'manually',
			'rotating',
			'control',
			'plane',
		]);
	});

	// Real queries from the upstream trackers: versions, hashes, IPs, pod names and punctuation are
	// noise, and must never be what a fallback search keeps.
	it('are never versions (istio/istio upgrade questions)', () => {
		expect(key('Istio upgrade path from 1.17.1 to 1.18')).toEqual(['istio', 'upgrade', 'path']);
		expect(key('no mTLS in latest edge-21.1.2 for mysql with port 3306 set to opaque')).toEqual([
			'mtls',
			'latest',
			'mysql',
			'port',
			'3306',
			'set',
			'opaque',
		]);
		expect(key('Reason: iptables v1.8.2 (legacy)')).toEqual(['reason', 'iptables', 'legacy']);
	});

	it('are never hashes, IP addresses, timestamps or pod names (pasted kubelet and proxy logs)', () => {
		expect(
			key(
				'failed to set up sandbox container "3f9c0e1d5b7a2c4e6f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6" network for pod "reviews-5d9f8b6c7d-q2w4x"'
			)
		).toEqual(['failed', 'set', 'sandbox', 'container', 'network', 'pod']);
		expect(
			key(
				'Error connecting to 127.0.0.6:15002: dial tcp 127.0.0.1:0->127.0.0.6:15002: connect connection refused'
			)
		).toEqual(['error', 'connecting', 'dial', 'tcp', 'connect', 'connection', 'refused']);
		expect(key('kubectl logs ztunnel-x7qkz Error: no pods found')).toEqual([
			'kubectl',
			'logs',
			'error',
			'pods',
			'found',
		]);
		expect(key('time="2024-05-06T07:08:09Z" level=error msg="could not sign CSR"')).toEqual([
			'time',
			'level',
			'error',
			'msg',
			'sign',
			'csr',
		]);
		expect(key('[ 0.002035s] WARN ThreadId(01) linkerd_reconnect: Failed to connect')).toEqual([
			'linkerd_reconnect',
			'failed',
			'connect',
		]);
	});

	it('never keep the first half of a contraction ("doesn\'t" is normalised to "doesn t")', () => {
		// Tracker titles are full of them: "VirtualService doesn't work with ..."
		expect(key("VirtualService doesn't work with waypoints")).toEqual([
			'virtualservice',
			'waypoints',
		]);
		expect(key("pods don't start, istiod isn't ready")).toEqual([
			'pods',
			'start',
			'istiod',
			'ready',
		]);
	});

	it('keep hyphenated words that only look like pod names: generated suffixes have no vowels', () => {
		expect(key('server-first protocol')).toEqual(['server-first', 'protocol']);
		expect(key('istio-proxy not ready')).toEqual(['istio-proxy', 'ready']);
		expect(key('pilot-agent wait')).toEqual(['pilot-agent', 'wait']);
		expect(key('linkerd-proxy crash')).toEqual(['linkerd-proxy', 'crash']);
	});

	it('trim the punctuation an error fragment carries (linkerd/linkerd2#10341)', () => {
		expect(
			key('tap.linkerd.io/v1alpha1: the server is currently unable to handle the request')
		).toEqual(['tap.linkerd.io/v1alpha1', 'server', 'currently', 'unable', 'handle', 'request']);
		expect(tokens(normalise('linkerd2_proxy_identity::certify: Received'))).toEqual([
			'linkerd2_proxy_identity',
			'certify',
			'received',
		]);
	});

	it('keep mesh vocabulary intact', () => {
		expect(normalise('linkerd.io/inject')).toBe('linkerd.io/inject');
		expect(key('istio.io/dataplane-mode=ambient')).toEqual(['istio.io/dataplane-mode', 'ambient']);
		expect(key('What is ztunnel-config?')).toEqual(['ztunnel-config']);
		expect(key('HTTP/1.1 503 Service Unavailable')).toEqual([
			'http/1.1',
			'503',
			'service',
			'unavailable',
		]);
		expect(key('linkerd check --pre')).toEqual(['linkerd', 'check', 'pre']);
	});

	it('handle empty, hostile and huge input', () => {
		expect(key('')).toEqual([]);
		expect(key('   ???  ')).toEqual([]);
		expect(key('<script>alert(1)</script>')).toEqual(['script', 'alert']);
		expect(key('mesh '.repeat(200))).toEqual(['mesh']);
		expect(
			key(
				Array.from({ length: 40 }, (_, i) => `word${String.fromCharCode(97 + (i % 26))}`).join(' ')
			).length
		).toBeLessThanOrEqual(12);
	});
});

describe('noise', () => {
	it('tells noise from words', () => {
		for (const n of [
			'1.17.1',
			'v1.8.2',
			'stable-2.13.4',
			'10.244.78.84',
			'10.96.0.39:443',
			'sha256',
			'6cbc6f986f',
			'21:11:31',
			'250ms',
			'01',
			'httpbin-6cbc6f986f-kh52h',
		])
			expect(isNoise(n), n).toBe(n === 'sha256' ? false : true);
		for (const w of ['istio', '503', '15008', 'x509', 'v1beta1', 'k8s', 'l7', 'ztunnel'])
			expect(isNoise(w), w).toBe(false);
	});

	// bench/tuning.yaml (istio/istio#26100): the URL in "Get https://192.168.1.98:16443/api?timeout=32s"
	// left its address and path as the query's rarest key term, searched by its parts "192" and "168".
	it('counts an address with a URL path after it as noise', () => {
		expect(isNoise('192.168.1.98:16443/api')).toBe(true);
		expect(keyTerms(normalise('Get "https://192.168.1.98:16443/api?timeout=32s": x509'))).toEqual([
			'https',
			'timeout',
			'x509',
		]);
		// A host name with a path names a component, and stays.
		expect(isNoise('istiod.istio-system.svc:443/inject')).toBe(false);
	});

	it('splits compounds into the parts the index also holds', () => {
		expect(partsOf('gateway.networking.k8s.io')).toEqual(['gateway', 'networking', 'k8s', 'io']);
		expect(partsOf('tap.linkerd.io/v1alpha1')).toEqual(['tap', 'linkerd', 'io', 'v1alpha1']);
		expect(partsOf('istio')).toEqual([]);
	});
});

describe('intent', () => {
	it('reads intent that the words alone miss', () => {
		expect(intents(normalise('when should I not use a service mesh'))).toEqual([
			'neither premature',
		]);
		expect(intents(normalise('what is HBONE'))).toEqual(['glossary']);
		expect(intents(normalise('ambient windows'))).toEqual([]);
	});
});

describe('vs', () => {
	it('compares between two named things', () => {
		expect(compares(normalise('Istio vs Linkerd'))).toBe(true);
		expect(compares(normalise('mesh vs api gateway'))).toBe(true);
		expect(compares(normalise('PERMISSIVE versus STRICT'))).toBe(true);
	});

	// istio/istio#54496 writes "vs" for a VirtualService ("why does vs not ..."): after a stop word
	// or at the start it is a name, not a comparison.
	it('is a name after a stop word or at the start', () => {
		expect(compares(normalise('why does vs not apply once a waypoint is used'))).toBe(false);
		expect(compares(normalise('vs subset routing with a waypoint'))).toBe(false);
		expect(compares(normalise('my vs is ignored'))).toBe(false);
	});
});

// linkerd/linkerd2#6427: "WARN ThreadId(01)" opens every proxy log line and says nothing.
describe('log chrome', () => {
	// The shape of a proxy log line (level, thread, span with its fields, target, message); the
	// values are made up.
	it('is noise: the level in capitals, the thread and the span fields in braces', () => {
		expect(
			key(
				'WARN ThreadId(03) outbound:proxy{addr=10.0.0.7:8080 peer.id=web}: linkerd_app_core::errors: upstream certificate rejected'
			)
		).toEqual([
			'outbound',
			'proxy',
			'linkerd_app_core',
			'errors',
			'upstream',
			'certificate',
			'rejected',
		]);
		expect(key('2026-11-30T10:00:00Z ERROR pilot-agent failed to warm certificate')).toEqual([
			'pilot-agent',
			'failed',
			'warm',
			'certificate',
		]);
	});

	it('stays when it is all there is, and lower-case words and JSON are the message', () => {
		expect(key('ERROR')).toEqual(['error']);
		expect(key('error xds failed')).toEqual(['error', 'xds', 'failed']);
		expect(key('{"level":"warn","msg":"config rejected"}')).toEqual([
			'level',
			'warn',
			'msg',
			'config',
			'rejected',
		]);
	});
});

// linkerd/linkerd2#6427 and #3849: the proxy names an error's cause in one CamelCase identifier.
describe('CamelCase identifiers', () => {
	it('are split into their words', () => {
		expect(camelParts('alert BadCertificate')).toEqual(
			new Map([['badcertificate', ['bad', 'certificate']]])
		);
		expect(camelParts('invalid certificate: CertNotValidYet').get('certnotvalidyet')).toEqual([
			'cert',
			'valid',
			'yet',
		]);
		expect(camelParts('is not valid: HostIsNotAnIpAddress').get('hostisnotanipaddress')).toEqual([
			'host',
			'ip',
			'address',
		]);
	});

	it('leave plain words and all-capital names alone (the engine splits only names the site lacks)', () => {
		expect(camelParts('linkerd check TLS PERMISSIVE mtls').size).toBe(0);
		expect(camelParts('VirtualService').get('virtualservice')).toEqual(['virtual', 'service']);
	});
});

describe('idioms', () => {
	// istio/istio#20545 (bench/tuning.yaml): "box", rare on the site, outweighed "headless".
	it('leaves out the words of "out of the box"', () => {
		const q = normalise(
			'Multi Headless services configuration not working out of the box with SideCar application'
		);
		expect(keyTerms(q)).not.toContain('box');
		expect(keyTerms(q)).toContain('headless');
	});

	it('keeps a query that is nothing but the idiom', () => {
		expect(normalise('out of the box')).toBe('out of the box');
	});
});
