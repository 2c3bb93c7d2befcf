import { faqEntries, historyOf, meshes } from '../../content';
import { linkFor } from '../../lib/doctor/links.ts';
import { siteConfig } from '../../site.config';

/**
 * Build-time data the doctor page needs: every answer's current revision (a finding's link
 * carries it, and a rule may point at any answer) and readable names for what a rule targets.
 */
export const answerRevs: Record<string, number> = Object.fromEntries(
	faqEntries.map((e) => [e.data.id, historyOf(e.data.id).revisions.length])
);

/** A rule's link as the page renders it: under the base path, answers with `?rev=`. */
export const seeHref = (see: string) => linkFor(see, { base: siteConfig.base, revs: answerRevs });

/** Names for what rules apply to that are not meshes of `content/data/meshes.yaml`. */
const otherTargets: Record<string, string> = {
	kubernetes: 'Kubernetes',
	'gateway-api': 'Gateway API',
};

/** `Istio`, `Gateway API`: the display name of a rule's mesh (or API) id. */
export function targetName(id: string): string {
	return meshes.find((m) => m.id === id)?.data.name ?? otherTargets[id] ?? id;
}
