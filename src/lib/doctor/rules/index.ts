import type { Rule } from '../types.ts';
import { gatewayApiRules } from './gateway-api.ts';
import { istioRules } from './istio.ts';
import { kubernetesRules } from './kubernetes.ts';
import { linkerdRules } from './linkerd.ts';
import { structureRules } from './structure.ts';

/** Every rule after the YAML syntax check, in the order they run. */
export const allRules: Rule[] = [
	...structureRules,
	...istioRules,
	...linkerdRules,
	...gatewayApiRules,
	...kubernetesRules,
];
