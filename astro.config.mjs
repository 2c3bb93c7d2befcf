// @ts-check
import { defineConfig } from 'astro/config';
import mdx from '@astrojs/mdx';
import sitemap from '@astrojs/sitemap';
import { cliCheck } from './src/integrations/cli-check.ts';
import { finishBuild } from './src/integrations/finish-build.ts';
import { precompressBuild } from './src/integrations/precompress.ts';
import { meshCoverageReport } from './src/integrations/mesh-coverage.ts';
import { contentRoot, siteConfig } from './src/site.config.ts';
import { themeScriptHash } from './src/lib/theme-script.ts';
import { loadFaqAliases } from './src/lib/content-files.ts';
import { meshColoursPlugin } from './src/components/mesh-colours.ts';
import { unified } from '@astrojs/markdown-remark';
import {
	codeColorsPlugin,
	rehypePlugins,
	remarkPlugins,
	shikiConfig,
} from './src/markdown/index.ts';

const faqAliasPaths = loadFaqAliases().map((a) => `/faq/${a}/`);

export default defineConfig({
	site: siteConfig.site,
	base: siteConfig.base,
	trailingSlash: 'always',
	build: { format: 'directory', inlineStylesheets: 'never' },
	scopedStyleStrategy: 'class',
	devToolbar: { enabled: false },
	// Node's log output without the one config warning that does not apply here (see the file).
	logger: { entrypoint: new URL('./src/lib/build-log.mjs', import.meta.url) },
	prefetch: false,
	// A fixture content tree (tests) keeps its own content-layer cache beside it: in the shared
	// one, the real site's next build would find the fixture's entries as duplicates.
	...(contentRoot === 'content' ? {} : { cacheDir: `./${contentRoot}/../cache` }),
	integrations: [
		mdx(),
		sitemap({
			// Forwarding pages of renamed FAQ answers are not pages of their own, and an answer's
			// history page is a record (noindex), reached from the answer.
			filter: (page) => !faqAliasPaths.some((p) => page.endsWith(p)) && !page.endsWith('/history/'),
		}),
		meshCoverageReport(),
		cliCheck(),
		finishBuild(siteConfig.base),
		// Last: it compresses every file the integrations before it wrote.
		precompressBuild(),
	],
	security: {
		csp: {
			algorithm: 'SHA-256',
			scriptDirective: { hashes: [themeScriptHash] },
		},
	},
	markdown: {
		processor: unified({ remarkPlugins, rehypePlugins: rehypePlugins(siteConfig.base) }),
		shikiConfig,
	},
	vite: {
		// Every script stays a file, so one header policy (script-src 'self' plus the theme script's
		// hash) covers every page; inlined scripts would each need their own hash.
		build: {
			assetsInlineLimit: 0,
			rollupOptions: {
				// Every MDX entry warns that "use astro:head-inject" may not survive bundling: a known
				// Astro issue with no effect on the output (withastro/astro#18087). Other warnings stay.
				onwarn(warning, warn) {
					if (
						warning.code === 'MODULE_LEVEL_DIRECTIVE' &&
						warning.message.includes('astro:head-inject')
					)
						return;
					warn(warning);
				},
			},
		},
		worker: { format: 'es' },
		plugins: [codeColorsPlugin(), meshColoursPlugin()],
	},
});
