/** One step of a procedure: the heading it sits under and its commands. */
export interface Step {
	title: string;
	code: string;
}

/**
 * One script from a page's steps, each under a comment naming its step, so the reader can run
 * it or read it. It stops at the first failing command, as a careful operator would.
 */
export function buildStepsScript(title: string, url: string, steps: Step[]): string {
	const header = ['#!/usr/bin/env bash', `# ${title}`, `# ${url}`, 'set -euo pipefail'];
	const body: string[] = [];
	let previous = '';
	for (const step of steps) {
		const comment = step.title && step.title !== previous ? `# ${step.title}\n` : '';
		previous = step.title;
		body.push(`${comment}${step.code.trim()}`);
	}
	return `${header.join('\n')}\n\n${body.join('\n\n')}\n`;
}
