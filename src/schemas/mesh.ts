import { z } from 'astro/zod';

/** A service mesh the guide covers; `content/data/meshes.yaml` holds one entry per mesh. */
export const meshSchema = z.object({
	/** Lower-case identifier used everywhere a page, FAQ entry or table row names a mesh. */
	id: z.string().regex(/^[a-z]+$/, 'id must be lower-case letters, e.g. "istio"'),
	/** Display name. */
	name: z.string().min(1),
	/** Project home page. */
	homepage: z.url(),
	/** Language the data-plane proxy is written in, e.g. "C++ (Envoy) and Rust (ztunnel)". */
	proxyLanguage: z.string().min(1),
	/** Date the project graduated in the CNCF, ISO format. */
	cncfGraduated: z.coerce.date(),
	/**
	 * Words readers use for this mesh without writing its name: its proxy, its components, its
	 * modes (`envoy`, `istiod`). Search reads a query holding one as naming the mesh. Its own
	 * resource kinds need not be listed: they come from the CRDs under `vendor/upstream/crds/<id>/`.
	 */
	alsoNamedBy: z
		.array(z.string().regex(/^[a-z0-9]+$/, 'alsoNamedBy holds lower-case words, e.g. "istiod"'))
		.optional(),
	/** One sentence on what sets it apart, shown on cards and badges. */
	summary: z.string().min(1).max(200),
	/**
	 * Badge and chart colour in each theme, as #rrggbb; it must reach 4.5:1 on the page background
	 * (a unit test checks). Without it the mesh is drawn in the text colour.
	 */
	colour: z
		.object({
			light: z.string().regex(/^#[0-9a-f]{6}$/i, 'colour.light must look like #2a5bb8'),
			dark: z.string().regex(/^#[0-9a-f]{6}$/i, 'colour.dark must look like #8fb4ff'),
		})
		.optional(),
});

export type Mesh = z.infer<typeof meshSchema>;
