import type { Rule } from '../types.ts';

/** Every rule after the YAML syntax check, in the order they run. */
export const allRules: Rule[] = [];
