import { parseAllDocuments } from 'yaml';

/** Which kubernetes-models package holds a given API group's classes. */
function modulePath(apiVersion: string, kind: string): string | undefined {
	const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
	if (!version) return undefined;
	if (group?.endsWith('.istio.io')) return `@kubernetes-models/istio/${group}/${version}/${kind}`;
	if (group === 'gateway.networking.k8s.io')
		return `@kubernetes-models/gateway-api/${group}/${version}/${kind}`;
	if (!group || !group.includes('.') || group.endsWith('.k8s.io')) {
		return `kubernetes-models/${group ? `${group}/` : ''}${version}/${kind}`;
	}
	return undefined;
}

interface Model {
	validate(): void;
}

/**
 * Second opinion from the kubernetes-models packages (types generated from the upstream
 * OpenAPI specs): catches wrong types and enum values in core Kubernetes kinds too, where no
 * CRD is available. Kinds the packages do not ship are reported as `unchecked`.
 */
export async function validateWithModels(
	file: string,
	source: string
): Promise<{ errors: string[]; unchecked: string[] }> {
	const errors: string[] = [];
	const unchecked: string[] = [];
	for (const doc of parseAllDocuments(source)) {
		const obj = doc.toJSON() as { apiVersion?: string; kind?: string } | null;
		if (!obj?.apiVersion || !obj.kind) continue;
		const path = modulePath(obj.apiVersion, obj.kind);
		let ctor: (new (data: unknown) => Model) | undefined;
		try {
			if (path)
				ctor = (
					(await import(/* @vite-ignore */ path)) as Record<string, new (data: unknown) => Model>
				)[obj.kind];
		} catch {
			ctor = undefined;
		}
		if (!ctor) {
			unchecked.push(`${obj.apiVersion} ${obj.kind}`);
			continue;
		}
		try {
			new ctor(obj).validate();
		} catch (e) {
			errors.push(`${file}: ${obj.kind} ${obj.apiVersion}: ${(e as Error).message}`);
		}
	}
	return { errors, unchecked };
}
