import { describe, expect, it } from 'vitest';
import { answerRevisions, cliLink, runDoctor } from './doctor-cli.ts';

const link = (see: string) => `https://kb.example${see}`;

const strict = `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: istio-system
spec:
  mtls:
    mode: STRICT
`;

describe('runDoctor', () => {
	it('prints one line per finding with file, line, severity, rule, message and link', () => {
		const { lines, code } = runDoctor([{ name: 'pa.yaml', text: strict }], link);
		expect(lines).toEqual([
			expect.stringMatching(
				/^pa\.yaml:8: warning istio-mesh-wide-strict-mtls: .+ \(https:\/\/kb\.example\/faq\/strict-mtls-unmeshed\/\)$/
			),
			'0 errors, 1 warning',
		]);
		expect(code).toBe(0);
	});

	it('exits 1 when any file has an error, and counts across files', () => {
		const bad = strict.replace('mode: STRICT', 'mode: STRICT\n    mdoe: x');
		const { lines, code } = runDoctor(
			[
				{ name: 'a.yaml', text: strict },
				{ name: '<stdin>', text: bad },
			],
			link
		);
		expect(lines.at(-1)).toBe('1 error, 2 warnings');
		expect(lines).toContainEqual(expect.stringMatching(/^<stdin>:9: error schema-unknown-field: /));
		expect(code).toBe(1);
	});

	it('says 0 errors, 0 warnings for a clean file', () => {
		expect(runDoctor([{ name: 'x', text: 'apiVersion: v1\nkind: ConfigMap\n' }], link)).toEqual({
			lines: ['0 errors, 0 warnings'],
			code: 0,
		});
	});
});

describe('cliLink', () => {
	it("makes absolute links with the answer's current revision", () => {
		const revs = answerRevisions();
		const rev = revs['strict-mtls-unmeshed'];
		expect(rev).toBeGreaterThan(0);
		expect(cliLink('https://kb.example', '/guide/')('/faq/strict-mtls-unmeshed/')).toBe(
			`https://kb.example/guide/faq/strict-mtls-unmeshed/?rev=${rev}`
		);
	});
});
