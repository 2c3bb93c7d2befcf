/**
 * Statements an earlier edition of this site, or the material it started from, got wrong (see
 * ../shared/facts.md and the November 2026 content review). Content must never repeat them;
 * `known-errors.test.ts` beside it scans every page, answer, manifest and data file with these rules.
 */
export interface KnownError {
	/** Short name used in test output. */
	id: string;
	/** Pattern that matches the wrong statement. */
	pattern: RegExp;
	/** What is true instead, so the author knows how to fix the page. */
	fix: string;
	/** The wrong text as the site once printed it: the rule must catch it. */
	wrong?: string;
	/** The corrected text: the rule must let it pass. */
	right?: string;
}

export const knownErrors: KnownError[] = [
	{
		id: 'serverauthorization-v1beta3',
		pattern: /apiVersion:\s*policy\.linkerd\.io\/v1beta3\s*\n\s*kind:\s*ServerAuthorization/,
		fix: 'ServerAuthorization is served as policy.linkerd.io/v1beta1 (or use AuthorizationPolicy)',
	},
	{
		id: 'istio-jvm',
		pattern: /\bJVM[- ]based\b|\bIstio (?:is|runs on) (?:a |the )?JVM\b|over JVM\/Go\/C\+\+/i,
		fix: 'Istio has no JVM component: istiod is Go, Envoy is C++, ztunnel is Rust',
	},
	{
		id: 'ambient-ga-september-2024',
		pattern: /September 2024/i,
		fix: 'ambient mode went GA in Istio 1.24, announced 7 November 2024',
	},
	{
		id: 'ambient-experimental-1-15',
		pattern: /Istio 1\.15\b/,
		fix: 'ambient shipped first as alpha in Istio 1.18; it was never part of 1.15',
	},
	{
		id: 'multicluster-serviceentry',
		pattern: /multi-?cluster[^.\n]{0,60}ServiceEntry|ServiceEntry[^.\n]{0,40}multi-?cluster/i,
		fix: 'Istio multicluster uses a shared root CA and remote secrets (plus east-west gateways across networks)',
	},
	{
		id: 'default-deny',
		pattern: /\bthe default is deny\b|\bdeny(?:-| )by(?:-| )default (?:on|after|from) install/i,
		fix: 'both meshes allow traffic until a policy says otherwise',
	},
	{
		id: 'deprecated-linkerd-install-script',
		pattern: /run\.linkerd\.io\/install(?!-edge)[^\n]*\|\s*sh/,
		fix: 'use https://run.linkerd.io/install-edge; the old script is deprecated',
	},
	{
		id: 'sidecar-legacy',
		pattern: /sidecar mode \(legacy\)|legacy sidecar mode/i,
		fix: 'Istio calls sidecars first-class and fully supported',
	},
	{
		id: 'anthos-service-mesh',
		pattern: /(?<!formerly )Anthos Service Mesh/,
		fix: "Google's managed Istio is now Cloud Service Mesh",
	},
	{
		id: 'viz-installs-grafana',
		pattern:
			/viz[^.\n]{0,40}(?<!no longer |not |never )(?:installs|includes|bundles|sets up)[^.\n]{0,40}Grafana/i,
		fix: 'linkerd viz has not bundled Grafana since 2.12',
	},
	{
		id: 'accesslogfile-istiod-configmap',
		pattern: /istiod configmap/i,
		fix: 'accessLogFile is mesh-wide, in the ConfigMap "istio" under key "mesh"; per namespace use the Telemetry API',
	},
	// From the November 2026 review of the site's own first edition.
	{
		id: 'ztunnel-config-namespace-flag',
		pattern: /ztunnel-config\s+\w+[^\n`]*\s(?:--namespace|-n)[\s=]/,
		fix: 'the filters are --workload-namespace and --service-namespace; --namespace/-n says where the ztunnel pod runs',
		wrong: 'istioctl ztunnel-config workload --namespace staging',
		right: 'istioctl ztunnel-config workload --workload-namespace staging',
	},
	{
		id: 'ztunnel-upgrade-without-revision',
		pattern: /helm upgrade ztunnel\b(?!(?:\\\n|[^\n])*--set revision=)/,
		fix: 'a revisioned upgrade sets --set revision=<new> on ztunnel, or removing the old istiod cuts ztunnel off',
		wrong: 'helm upgrade ztunnel istio/ztunnel -n istio-system --version 1.31.1 --wait',
		right:
			'helm upgrade ztunnel istio/ztunnel -n istio-system --version 1.31.1 \\\n  --set revision=1-31-1 --wait',
	},
	{
		id: 'istio-cni-upgrade-with-set',
		pattern: /helm upgrade istio-cni\b[^\n]*--set\b/,
		fix: 'upgrade istio-cni with no overrides; a --set resets the release to chart defaults (dropping global.platform)',
		wrong:
			'helm upgrade istio-cni istio/cni -n istio-system --version 1.31.1 --set profile=ambient --wait',
		right: 'helm upgrade istio-cni istio/cni -n istio-system --version 1.31.1 --wait',
	},
	{
		id: 'istio-tag-prod-stable',
		pattern: /istioctl tag set prod-(?:stable|canary)\b/,
		fix: 'the install creates no custom tag; the tag to move is default (istioctl tag set default --revision ...)',
		wrong: 'istioctl tag set prod-stable --revision 1-31-1 --overwrite',
		right: 'istioctl tag set default --revision 1-31-1 --overwrite',
	},
	{
		id: 'istio-one-minor-at-a-time',
		pattern: /Istio supports upgrading one minor version at a time/i,
		fix: 'revision upgrades may skip one minor (N to N+2); in-place upgrades go one at a time',
		wrong: 'Istio supports upgrading one minor version at a time.',
	},
	{
		id: 'linkerd-lacks-regex',
		pattern:
			/regex(?:[^.\n]|\n(?!\n)){0,160}Istio has them, Linkerd does not|Linkerd[^.\n]{0,40}(?:no|lacks|without) regex/i,
		fix: 'Linkerd 2.20 implements RegularExpression path, header and query matches; it lacks request mirroring',
		wrong:
			'Envoy-based fault injection, regex and source-label matching, mirroring:\nIstio has them, Linkerd does not.',
		right:
			'fault injection, request mirroring: Istio has them, Linkerd does not. (Regex matching is no longer a difference.)',
	},
	{
		id: 'virtualservice-alpha-in-ambient',
		pattern: /classic APIs? (?:is|are) alpha in ambient|Alpha in ambient; do not mix/i,
		fix: 'waypoints do not support VirtualService (alpha, not planned to progress); HTTPRoute and GRPCRoute are stable there',
		wrong: 'With a waypoint, the classic APIs are alpha in ambient.',
	},
	{
		id: 'retries-not-in-gateway-api',
		pattern: /retry settings are\s+not part of Gateway API/i,
		fix: 'HTTPRoute has a retry field (experimental channel) that Istio implements; Istio retries twice by default',
		wrong: 'Per-route retry settings are not part of Gateway API standard channel',
	},
	{
		id: 'ambient-rate-limit-envoyfilter',
		pattern: /'Yes, via EnvoyFilter'/,
		fix: 'EnvoyFilter is not supported on waypoints: ambient has no supported rate limiting today',
		wrong: "istio: { value: 'Yes, via EnvoyFilter' }",
	},
	{
		id: 'linkerd-jaeger-extension',
		pattern:
			/\*\*jaeger\*\* install separately|(?:viz|multicluster)[^.\n]{0,30}\band jaeger\b[^.\n]{0,20}install/i,
		fix: 'linkerd-jaeger is unmaintained since 2.19; tracing is configured with proxy.tracing.* on the control plane',
		wrong: '**viz** (metrics dashboard), **multicluster** and **jaeger** install separately.',
	},
	{
		id: 'linkerd-gateway-api-v1-5-1-install',
		pattern: /supports(?: Gateway API)?\s+\**v1\.2\.1 to v1\.5\.1/i,
		fix: 'Linkerd recommends Gateway API v1.2.1; it accepts up to v1.5.1 but ignores routes with fields newer than v1.2.1',
		wrong:
			'If not, install the standard channel. Linkerd 2.20 supports Gateway API **v1.2.1 to v1.5.1**:',
		right: 'Linkerd 2.20 accepts CRDs up to v1.5.1, but it reads routes with the v1.2.1 types',
	},
	{
		id: 'linkerd-rate-limit-aware-not-experimental',
		pattern: /2\.20 adds (?:a )?rate-limit-aware/i,
		fix: 'rate-limit-aware failure accrual is experimental and opt-in (failure-accrual unified, balancer.alpha annotations)',
		wrong: 'Linkerd 2.20 adds a rate-limit-aware mode',
	},
	{
		id: 'linkerd-probes-always-work',
		pattern: /keep working; the proxy lets them through\.(?! The exception)/,
		fix: 'once an HTTPRoute or GRPCRoute matches a Server, probes are no longer authorized by default',
		wrong: '- **Probes** from the kubelet keep working; the proxy lets them through.\n',
	},
	{
		id: 'linkerd-default-refuses-unmeshed',
		pattern: /refusing unmeshed clients is its default/i,
		fix: "Linkerd's default inbound policy is all-unauthenticated (allow all)",
		wrong: 'refusing unmeshed clients is its default inbound policy.',
	},
	{
		id: 'ambient-requests-without-cni',
		pattern: /10 × 512 Mi = 5 Gi/,
		fix: 'ambient also reserves istio-cni (100Mi, 100m per node), ztunnel 200m CPU per node and istiod 2048Mi, 500m',
		wrong: '| Istio ambient, no waypoints | 10 × 12 MB ≈ 0.12 GB | 10 × 512 Mi = 5 Gi |',
	},
	{
		id: 'control-plane-small',
		pattern: /small next to the data plane/i,
		fix: 'istiod requests 500m CPU and 2048Mi per replica, with an HPA of 1 to 5 replicas',
		wrong: "istiod and Linkerd's control plane are a few pods each, small next to the data plane",
	},
	{
		id: 'small-nodes-point-to-linkerd',
		pattern: /linkerd-proxy is small and requests nothing/i,
		fix: 'compare measured usage: one ztunnel per node against a proxy per pod; the 512Mi ztunnel request is tunable',
		wrong:
			"ztunnel's default 512 Mi request per node weighs most on small nodes, while linkerd-proxy is small and requests nothing by default.",
	},
	{
		id: 'crd-field-silently-disappears',
		pattern: /misspelt field silently disappears/i,
		fix: 'server-side field validation is GA since Kubernetes 1.27; kubectl --validate defaults to strict',
		wrong:
			'the API server prunes fields the schema does not know, so a misspelt field silently disappears.',
	},
	{
		id: 'agentgateway-waypoints-in-1-30',
		pattern:
			/1\.30 and 1\.31 also ship an experimental agentgateway data plane for\s+gateways and waypoints/,
		fix: '1.30 added agentgateway for gateways; the waypoint class came in 1.31',
		wrong:
			'Istio 1.30 and 1.31 also ship an experimental agentgateway data plane for\ngateways and waypoints',
	},
	{
		id: 'istio-helm-3-only',
		pattern: /^- Helm 3 and\b/m,
		fix: 'Istio 1.30 added Helm 4 support',
		wrong: '- Helm 3 and, for the checks at the end, istioctl',
	},
	{
		id: 'shared-waypoint-one-label',
		pattern: /point several\s+namespaces at one shared waypoint\./,
		fix: 'a shared waypoint also needs the istio.io/use-waypoint-namespace label',
		wrong: 'or point several\nnamespaces at one shared waypoint.',
	},
	{
		id: 'parentref-group-means-gateway',
		pattern: /without it the\s+reference means a Gateway/i,
		fix: 'without group: "" the group defaults to gateway.networking.k8s.io, which has no Service kind, so the route does not attach',
		wrong: '`group: ""` is required: without it the\nreference means a Gateway, not a Service.',
	},
	// From the December 2026 review (corrections backed by content/facts/corrections-*.yaml).
	{
		id: 'istio-backendrequest-always-per-try',
		pattern:
			/Istio\s+(?:treats|maps|uses)\s+`?(?:timeouts\.)?backendRequest`?\s+(?:as|to)\s+the\s+(?:per-try timeout|timeout of each try)(?!\s+only)|backendRequest is the per-try timeout\)|Istio uses this as the timeout of each try/,
		fix: 'Istio uses backendRequest as the per-try timeout only when the rule also sets retry; otherwise it replaces the whole route timeout',
		wrong:
			'Use an `HTTPRoute`: its `timeouts` are in the standard channel, and Istio treats\n`backendRequest` as the per-try timeout, so the two default retries each get 300 ms.',
		right:
			'Istio uses `backendRequest` as the per-try timeout only when the same rule sets `retry`.',
	},
	{
		id: 'istio-default-retries-503',
		pattern: /gRPC statuses\s+and\s+HTTP\s+503|connection failures and 503s/i,
		fix: 'the default retry policy lists no retriable status codes: HTTP 503 is not retried by default since Istio 1.24',
		wrong:
			'Envoy retries a request **twice** on connect\nfailures, refused streams, `unavailable` and `cancelled` gRPC statuses and HTTP 503.',
		right:
			'failures, refused streams and `unavailable` or `cancelled` gRPC statuses. An HTTP 503 is not retried.',
	},
	{
		id: 'linkerd-appprotocol-only-documents',
		pattern: /for Linkerd it documents what the port carries|^\s*appProtocol:\s*grpc\b/m,
		fix: 'Linkerd reads appProtocol: only http, kubernetes.io/h2c and linkerd.io/opaque|tcp are understood; any other value (grpc, http2) means opaque TCP. Use kubernetes.io/h2c for gRPC',
		wrong: '    appProtocol: grpc\n',
		right: '    appProtocol: kubernetes.io/h2c # HTTP/2 for both meshes; gRPC runs on it\n',
	},
	{
		id: 'istio-sniffs-only-outbound',
		pattern: /inbound and in ambient, an undeclared port is treated as plain TCP/i,
		fix: 'sidecar inbound listeners and waypoints also sniff undeclared ports (ListenerProtocolAuto); only ztunnel ignores the protocol',
		wrong:
			'Envoy **sniffs** the first bytes to tell HTTP\n   from anything else; inbound and in ambient, an undeclared port is treated as plain TCP.',
	},
	{
		id: 'linkerd-networkpolicy-app-ports-enough',
		pattern:
			/Linkerd's proxy intercepts inside the pod too, so policies on application ports keep working|4143[^.]{0,40}for opaque ports, and across clusters/,
		fix: 'meshed-to-meshed traffic always targets the proxy inbound port 4143 (transport-header mode is the default): allow 4143 or all meshed traffic is blocked',
		wrong:
			"Linkerd's proxy intercepts inside the pod too, so policies on application ports keep working.",
		right:
			"Linkerd's proxy intercepts inside the pod too, but that does not keep port-based policies\nworking.",
	},
	{
		id: 'linkerd-webhooks-only-injector',
		pattern: /API server to reach the proxy injector\s+webhook \(8443\);/,
		fix: 'the API server must also reach the destination pod: policy validator 9443 and sp-validator 8443',
		wrong: 'and the API server to reach the proxy injector\n  webhook (8443);',
	},
	{
		id: 'cilium-socketlb-istio-prerequisite',
		pattern: /socketLB\.hostNamespaceOnly=true[^.]{0,200}as Istio's platform prerequisites list/,
		fix: "Istio's Cilium prerequisites: cni.exclusive=false, bpf.masquerade=true unsupported, a CiliumClusterwideNetworkPolicy allowing 169.254.7.127/32 once any default-deny policy exists; socketLB is not mentioned",
		wrong:
			"(`socketLB.hostNamespaceOnly=true`) and its BPF masquerading if you use kube-proxy replacement,\n  as Istio's platform prerequisites list",
	},
	{
		id: 'ambient-migration-same-istiod',
		pattern:
			/ztunnel, on the same istiod revision\. Nothing changes|on the current\s+istiod revision\. Running pods are unaffected/,
		fix: 'moving sidecars to ambient starts with helm upgrade istiod --set profile=ambient, then a restart of the sidecars for ISTIO_META_ENABLE_HBONE',
		wrong:
			'istio-cni (ambient profile) and\n   ztunnel, on the same istiod revision. Nothing changes for running pods.',
	},
	{
		id: 'ambient-migration-keep-virtualservices',
		pattern: /Keep the old\s+VirtualServices until the namespace has run on ambient/,
		fix: 'delete selector-based L7 AuthorizationPolicies and replaced VirtualServices right after the restart (ztunnel enforces L7 selector policies as DENY; VirtualService plus HTTPRoute is undefined behaviour); keep a backup instead',
		wrong: 'Keep the old\nVirtualServices until the namespace has run on ambient for a while',
	},
	{
		id: 'linkerd-gateway-api-v1-2-1-only',
		pattern:
			/the one the 2\.20 CLI's error message names|version the 2\.20 CLI's error message suggests|Linkerd 2\.20 recommends v1\.2\.1 and accepts up to v1\.5\.1 \|/,
		fix: 'say which Linkerd: the version-2.20 tag names and reads v1.2.1; edge releases from edge-26.8.2 read v1.5.1 types and name v1.5.1',
		wrong:
			'| Gateway API | v1.6.1 for manifest validation; Linkerd 2.20 recommends v1.2.1 and accepts up to v1.5.1 |',
		right:
			'| Gateway API | v1.6.1 for manifest validation; Linkerd reads v1.5.1 types from edge-26.8.2 (the `version-2.20` tag recommends v1.2.1 and accepts up to v1.5.1) |',
	},
	{
		id: 'tcproute-tlsroute-never-standard',
		pattern:
			/were in the experimental channel in the releases this guide covers; the standard bundle does\s+not contain them/,
		fix: 'TLSRoute v1 is in the v1.5.1 standard bundle; TCPRoute, TLSRoute and UDPRoute v1 are in v1.6.1 standard; v1alpha2 (what Linkerd reads) is experimental only',
		wrong:
			'were in the experimental channel in the releases this guide covers; the standard bundle does\n  not contain them.',
	},
	{
		id: 'linkerd-egress-tlsroute-standard',
		pattern:
			/`TLSRoute` or `TCPRoute` attached to the `EgressNetwork` allows\.(?!\s+Linkerd reads)/,
		fix: 'Linkerd reads TLSRoute/TCPRoute as v1alpha2, served only by the experimental channel: HTTPS allow-listing needs the experimental CRDs',
		wrong:
			'external hosts that an `HTTPRoute`,\n`TLSRoute` or `TCPRoute` attached to the `EgressNetwork` allows.\n\nCompare',
		right:
			'`TLSRoute` or `TCPRoute` attached to the `EgressNetwork` allows. Linkerd reads `TLSRoute` and',
	},
	{
		id: 'linkerd-fail-fast-503',
		pattern: /fail-fast 503|\*\*Linkerd\*\* answers `503` in the same situation/,
		fix: 'Linkerd answers fail-fast with 504 Gateway Timeout (gRPC DEADLINE_EXCEEDED); 503 means load shedding',
		wrong: 'question: \'Why do I get "no healthy upstream" (or a Linkerd fail-fast 503)?\'',
		right: 'question: \'Why do I get "no healthy upstream" (or a Linkerd fail-fast 504)?\'',
	},
	{
		id: 'plaintext-reset-both-meshes',
		pattern: /A plaintext client sees its connection reset; it gets no\s+HTTP status/,
		fix: 'Linkerd answers denied HTTP requests with 403 and refuses only non-HTTP connections; only Istio resets',
		wrong:
			'A plaintext client sees its connection reset; it gets no\nHTTP status, because the server side never speaks HTTP to it.',
	},
	{
		id: 'curl-recv-failure-lowercase',
		pattern: /(?<![\w-])recv failure: Connection reset/,
		fix: "curl prints 'Recv failure: Connection reset by peer' with a capital R",
		wrong: "  - 'recv failure: Connection reset by peer'",
		right: "  - 'Recv failure: Connection reset by peer'",
	},
	{
		id: 'linkerd-ingress-namespace-inject-skip-inbound',
		pattern: /\*\*Skip the inbound proxy on the public ports\.\*\*/,
		fix: 'mesh Traefik, Contour, Gloo and similar in ingress mode (linkerd.io/inject: ingress on the workload) and strip client l5d-dst-override headers; skip-inbound-ports is not upstream guidance',
		wrong:
			'- **Skip the inbound proxy on the public ports.** The controller receives connections from',
	},
	{
		id: 'ambient-skip-minor',
		pattern:
			/Revision upgrades may\s+skip one minor \(1\.29 to 1\.31\), so two upgrades a year|revision\s+upgrades may skip one minor, so a twice-yearly rhythm keeps you covered\.\s+Patch/,
		fix: 'skip-level revision upgrades hold for sidecars only: ztunnel and istio-cni 1.x need a control plane at 1.x or 1.x+1, so ambient moves one minor at a time',
		wrong:
			'Revision upgrades may\n  skip one minor (1.29 to 1.31), so two upgrades a year are enough if you never fall behind.',
	},
	{
		id: 'istio-rev-label-with-injection-label',
		pattern: /kubectl label namespace \S+ istio\.io\/rev=[\w-]+ --overwrite/,
		fix: 'istio-injection=enabled takes precedence over istio.io/rev: remove it in the same command (istio-injection- istio.io/rev=<rev>)',
		wrong: 'kubectl label namespace <namespace> istio.io/rev=1-31-1 --overwrite',
		right: 'kubectl label namespace <namespace> istio-injection- istio.io/rev=1-31-1 --overwrite',
	},
	{
		id: 'helm-reuse-values-without-version',
		pattern: /helm upgrade (?:(?!--version\b)[^\n]|\\\n)*--reuse-values/,
		fix: 'without --version helm upgrade installs the newest chart in the local cache; pass the chart version you run, and the release name (istiod-<revision> after a revision upgrade)',
		wrong:
			'helm upgrade istiod istio/istiod -n istio-system --reuse-values --set meshConfig.accessLogFile=/dev/stdout',
		right:
			'helm upgrade <istiod-release> istio/istiod -n istio-system --version <chart-version> \\\n  --reuse-values --set meshConfig.accessLogFile=/dev/stdout',
	},
	{
		id: 'ztunnel-cni-high-priority-class',
		pattern:
			/(?:ztunnel|istio-cni)[^.]{0,60}\b(?:give|set) (?:them|it|ztunnel) a high priority class|Give ztunnel a high priority class/i,
		fix: 'ztunnel and istio-cni already use priorityClassName: system-node-critical; only linkerd2-cni has none by default',
		wrong:
			'ztunnel and istio-cni are DaemonSets: give them a high priority class so they are never',
	},
	{
		id: 'ztunnel-config-node-as-filter',
		pattern: /ztunnel-config workloads? --node <?[\w-]+>?(?![^\n]*--workload-node)\s*$/m,
		fix: '--node only picks which ztunnel answers; filter to one node with --workload-node',
		wrong: 'istioctl ztunnel-config workload --node <node>\n',
		right: 'istioctl ztunnel-config workload --node <node> --workload-node <node>\n',
	},
	{
		id: 'linkerd-ha-webhook-fail-follow-up',
		pattern: /consider `webhookFailurePolicy: Fail`|Set it to `Fail` in production with HA/,
		fix: 'values-ha.yaml already sets webhookFailurePolicy: Fail, and proxy requests 100m/20Mi (limit 250Mi)',
		wrong:
			'and consider `webhookFailurePolicy: Fail`, so that if the injector is down, pods wait instead of',
	},
	{
		id: 'httproute-wins-over-virtualservice',
		pattern: /the `HTTPRoute` wins/,
		fix: 'istio.io: mixing VirtualService and HTTPRoute for the same workload is not supported and leads to undefined behaviour',
		wrong:
			'If an `HTTPRoute` and a `VirtualService` both target one Service, the `HTTPRoute` wins.',
	},
	{
		id: 'virtualservice-fault-on-waypoint',
		pattern: /with sidecars, or a waypoint in ambient mode/,
		fix: 'VirtualService on waypoints is alpha and not recommended; fault injection is a sidecar feature in practice',
		wrong: 'settings do that (with sidecars, or a waypoint in ambient mode).',
	},
	{
		id: 'linkerd-default-log-level-short',
		pattern:
			/default (?:level|log level)[^.\n]{0,20}`warn,linkerd=info`|back to\s+`warn,linkerd=info`/i,
		fix: 'the default proxy log level is warn,linkerd=info,hickory=error',
		wrong: 'The default level is `warn,linkerd=info`. Raise it',
		right: 'The default level is `warn,linkerd=info,hickory=error`.',
	},
	{
		id: 'linkerd-no-locality-routing',
		pattern: /\|\s*off in open-source Linkerd\s*\|/,
		fix: 'off by default, but open-source Linkerd honours Kubernetes Topology Aware Routing hints on Services that opt in',
		wrong:
			'| Locality-aware routing | on when outlier detection is set | off in open-source Linkerd |',
	},
	{
		id: 'istio-fips-only-vendor',
		pattern:
			/ztunnel can be built with a\s+FIPS-capable crypto provider, but the images Istio publishes are not FIPS builds\.\s+Vendors/,
		fix: 'mention Istio COMPLIANCE_POLICY (fips-140-2; fips-140-3 since 1.31), necessary but not sufficient, and ztunnel tls-boring',
		wrong:
			'ztunnel can be built with a\n  FIPS-capable crypto provider, but the images Istio publishes are not FIPS builds. Vendors',
	},
	{
		id: 'linkerd-issuer-crt-pem-only',
		pattern: /jsonpath='\{\.data\.crt\\\.pem\}'/,
		fix: 'with cert-manager (scheme kubernetes.io/tls) the issuer certificate is under tls.crt; read both keys',
		wrong:
			"kubectl get secret linkerd-identity-issuer -n linkerd -o jsonpath='{.data.crt\\.pem}' | base64 -d",
		right:
			"kubectl get secret linkerd-identity-issuer -n linkerd -o jsonpath='{.data.crt\\.pem}{.data.tls\\.crt}' | base64 -d",
	},
	{
		id: 'envoy-reset-reason-connection-failure',
		pattern:
			/reset reason: connection failure'|`connection failure` means the connection never came up/,
		fix: 'current Envoy prints local connection failure, remote connection failure or connection timeout (often followed by ", transport failure reason: ...")',
		wrong:
			"  - 'upstream connect error or disconnect/reset before headers. reset reason: connection failure'",
		right:
			"  - 'upstream connect error or disconnect/reset before headers. reset reason: remote connection failure'",
	},
	{
		id: 'envoy-delayed-connect-errno',
		pattern: /delayed connect error: \d+/,
		fix: 'current Envoy writes the system error text (strerror), e.g. delayed connect error: Connection refused',
		wrong: 'such as `delayed connect error: 111` (connection refused)',
		right: 'such as `delayed connect error: Connection refused`',
	},
	{
		id: 'webhook-message-without-post',
		pattern:
			/failed calling webhook "[^"]+": (?!failed to call webhook)(?:context deadline|connection refused|x509)/,
		fix: 'the API server writes: failed calling webhook "<name>": failed to call webhook: Post "<url>": <cause>',
		wrong: '  - \'failed calling webhook "validation.istio.io": context deadline exceeded\'',
		right:
			'  - \'failed calling webhook "validation.istio.io": failed to call webhook: Post "https://istiod.istio-system.svc:443/validate?timeout=10s": context deadline exceeded\'',
	},
	{
		id: 'no-kind-match-without-quotes',
		pattern: /no matches for kind [A-Z]\w+ in\s+version [a-z]/,
		fix: 'Kubernetes quotes both: no matches for kind "ServerAuthorization" in version "policy.linkerd.io/v1beta3"',
		wrong:
			'produces "no matches for kind ServerAuthorization in\nversion policy.linkerd.io/v1beta3".',
		right:
			'produces `no matches for kind "ServerAuthorization" in\nversion "policy.linkerd.io/v1beta3"`.',
	},
];

/** Known errors found in one file's text, with the 1-based line of each. */
export function findKnownErrors(text: string): { id: string; line: number; fix: string }[] {
	const found: { id: string; line: number; fix: string }[] = [];
	for (const rule of knownErrors) {
		const re = new RegExp(
			rule.pattern.source,
			rule.pattern.flags.includes('g') ? rule.pattern.flags : `${rule.pattern.flags}g`
		);
		for (const m of text.matchAll(re)) {
			found.push({ id: rule.id, line: text.slice(0, m.index).split('\n').length, fix: rule.fix });
		}
	}
	return found;
}
