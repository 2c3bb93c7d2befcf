/**
 * What the footer's offline line says. The build compiles this file into the service worker,
 * which knows what is saved and sends the words; the page only shows them, so the wording costs
 * the page's JavaScript budget nothing. The line must say only what is true: a page that is
 * already offline never reads "Saving…" because an update is downloading.
 */

/** The worker's answer to `kb-status`. */
export interface WorkerStatus {
	whole: boolean;
	/** Every first-visit file (shell, search, FAQ) is saved and checked. */
	core: boolean;
	/** The page asking is saved. */
	page: boolean;
	/** Bytes that "Save the whole guide" would still download. */
	missingBytes: number;
	/** A new build is fully saved and waiting to take over. */
	waiting: boolean;
	/** Tabs with the guide open. */
	windows: number;
}

/** The worker's `kb-progress` message. */
export interface Progress {
	done: number;
	total: number;
	/** A new build is downloading while the current one keeps working offline. */
	update?: boolean;
	/** The reader asked to save the whole guide. */
	whole?: boolean;
}

export interface OfflineView {
	text: string;
	/** Label of the "Save the whole guide" button, or undefined to hide it. */
	save?: string | undefined;
	/** Label of the button that switches to the new build now, or undefined to hide it. */
	update?: string | undefined;
}

export function megabytes(bytes: number): string {
	const mb = bytes / 1024 / 1024;
	return mb >= 10 ? `${mb.toFixed(0)} MB` : `${Math.max(mb, 0.1).toFixed(1)} MB`;
}

export function describeStatus(s: WorkerStatus): OfflineView {
	const save =
		s.whole || s.missingBytes === 0
			? undefined
			: `Save the whole guide for offline use (${megabytes(s.missingBytes)})`;
	if (s.waiting)
		return s.windows > 1
			? {
					text: 'A new version of the guide is saved: it opens once the guide is open in one tab only.',
					update: 'Update now',
				}
			: { text: 'A new version of the guide is saved: it opens on your next page.' };
	if (!s.core)
		return { text: 'Partly available offline: the rest is saved when you are next online', save };
	if (s.whole || save === undefined) return { text: 'Available offline: the whole guide' };
	return {
		text: s.page
			? 'Available offline: this page, search and the FAQ'
			: 'Available offline: search, the FAQ and the pages you opened',
		save,
	};
}

/** A progress line. The page drops first-save lines once a worker controls it (see `first`). */
export function describeProgress(p: Progress): { text: string; first: boolean } {
	const files = `${p.done} of ${p.total} files`;
	if (p.whole) return { text: `Saving the whole guide for offline use: ${files}`, first: false };
	if (p.update)
		return { text: `Available offline. Downloading the new version: ${files}`, first: false };
	return { text: `Saving this page, search and the FAQ for offline use: ${files}`, first: true };
}

/** What a failed save means for the reader; nothing when an update failed (the old copy stays). */
export function describeFailure(f: { update?: boolean; whole?: boolean }): OfflineView | undefined {
	if (f.whole)
		return {
			text: 'Could not save the whole guide: try again when you are online',
			save: 'Save the whole guide for offline use',
		};
	if (f.update) return undefined;
	return { text: 'Could not save for offline use: it will try again on your next visit' };
}

/** Shown by a tab still on the old build after another tab switched every tab to a new one. */
export const updatedElsewhere: OfflineView = {
	text: 'The guide was updated in another tab: reload this page to read the new version.',
	update: 'Reload',
};
