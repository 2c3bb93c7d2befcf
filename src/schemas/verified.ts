import { z } from 'astro/zod';
import { siteConfig } from '../site.config.ts';

const { versions } = siteConfig;

/** Which releases a page (or FAQ answer) was checked against, and when. */
export const verifiedSchema = z.object(
	{
		/** Istio minor release, one of `versions.istio` in `src/site.config.ts`. */
		istio: z.enum(versions.istio as [string, ...string[]], {
			error: `verified.istio must be one of ${versions.istio.join(', ')} (see versions in src/site.config.ts)`,
		}),
		/** Linkerd major version, one of `versions.linkerd` in `src/site.config.ts`. */
		linkerd: z.enum(versions.linkerd as [string, ...string[]], {
			error: `verified.linkerd must be one of ${versions.linkerd.join(', ')} (see versions in src/site.config.ts)`,
		}),
		/** Day the page was last checked against those releases, as YYYY-MM-DD. */
		date: z.coerce.date({ error: 'verified.date must be a date written YYYY-MM-DD' }),
	},
	{
		error:
			'verified is required: { istio, linkerd, date } names the releases the page was checked against',
	}
);

export type Verified = z.infer<typeof verifiedSchema>;
