import { z } from 'astro/zod';
import { treeProblems } from './decision-tree-graph.ts';
import { factIdsSchema } from './fact.ts';

const nodeId = z
	.string()
	.regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'ids are lower-case words joined by hyphens');

/** One answer to a question. */
const answerSchema = z.object({
	/** Stable id, used in shared URLs (`?answers=yes.none`). Never change it. */
	id: nodeId,
	/** What the reader clicks. */
	label: z.string().min(1),
	/** One to three words for the flowchart's edge. */
	short: z.string().min(2).max(18),
	/** Why this answer leads where it does; shown with the outcome. */
	because: z.string().min(10),
	/** Id of the next question or of an outcome. */
	next: nodeId,
	/** Facts (content/facts) that back the reason; shown as evidence links beside it. */
	facts: factIdsSchema,
});

/** A question: one step of the tree. */
const questionSchema = z.object({
	/** Stable id; the anchor of the question's section. */
	id: nodeId,
	/** The question. */
	text: z.string().min(5),
	/** A few words for the flowchart box. */
	short: z.string().min(3).max(40),
	/** One or two sentences that help the reader answer. */
	help: z.string().optional(),
	/** Facts (content/facts) that back the help text; shown as evidence links after it. */
	facts: factIdsSchema,
	/** At least two answers. */
	answers: z.array(answerSchema).min(2, 'a question needs at least two answers'),
});

/** Where a path ends: a recommendation with its reasons and where to go next. */
const outcomeSchema = z.object({
	/** Stable id; the anchor of the outcome's section. */
	id: nodeId,
	/** The recommendation. */
	title: z.string().min(3),
	/** A few words for the flowchart box. */
	short: z.string().min(3).max(40),
	/** Mesh recommended, from content/data/meshes.yaml; absent for "neither". */
	mesh: z.string().optional(),
	/** One sentence. */
	summary: z.string().min(10),
	/** Why this outcome, independent of the path. */
	rationale: z
		.string({ error: 'every outcome needs a rationale' })
		.min(20, 'every outcome needs a rationale'),
	/** Lighter tools that cover the need (for "neither"). */
	tools: z.array(z.string()).optional(),
	/** Guide sections to read next; at least one. */
	links: z
		.array(
			z.object({
				label: z.string().min(1),
				href: z.string().regex(/^\/[a-z0-9/-]*\/(?:#[a-z0-9-]+)?$/),
			}),
			{
				error: 'every outcome needs links',
			}
		)
		.min(1, 'every outcome needs at least one link to the guides'),
});

/** The whole tree, checked as a graph: see `treeProblems`. */
export const decisionTreeSchema = z
	.object({
		/** Id of the first question. */
		start: nodeId,
		questions: z.array(questionSchema).min(1),
		outcomes: z.array(outcomeSchema).min(1),
	})
	.superRefine((tree, ctx) => {
		for (const message of treeProblems(tree)) ctx.addIssue({ code: 'custom', message });
	});

export type DecisionTree = z.infer<typeof decisionTreeSchema>;
