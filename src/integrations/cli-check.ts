import type { AstroIntegration } from 'astro';
import { checkContent, formatFinding } from '../../scripts/lib/cli-check.ts';

/**
 * Fails the build, before any page renders, when a command in a shell block or inline code names
 * an istioctl, linkerd or helm subcommand or flag that the release the page names does not have.
 */
export function cliCheck(): AstroIntegration {
	return {
		name: 'kb:cli-check',
		hooks: {
			'astro:build:start': ({ logger }) => {
				const started = performance.now();
				const { commands, findings } = checkContent();
				if (findings.length > 0)
					throw new Error(
						`${findings.length} command(s) do not match the CLI reference of the release their page names (vendor/upstream/cli/):\n${findings.map(formatFinding).join('\n')}`
					);
				logger.info(
					`${commands} istioctl/linkerd/helm commands match their CLI references (${Math.round(performance.now() - started)} ms)`
				);
			},
		},
	};
}
