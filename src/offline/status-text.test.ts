import { describe, expect, it } from 'vitest';
import {
	describeFailure,
	describeProgress,
	describeStatus,
	megabytes,
	type WorkerStatus,
} from './status-text.ts';

const saved: WorkerStatus = {
	whole: false,
	core: true,
	page: true,
	missingBytes: 4_400_000,
	waiting: false,
	windows: 1,
};

describe('the offline status line', () => {
	it('says what a first visit saved and offers the whole guide with its size', () => {
		expect(describeStatus(saved)).toEqual({
			text: 'Available offline: this page, search and the FAQ',
			save: 'Save the whole guide for offline use (4.2 MB)',
		});
		expect(describeStatus({ ...saved, page: false }).text).toBe(
			'Available offline: search, the FAQ and the pages you opened'
		);
	});

	it('says the whole guide is saved, with no button, once it is', () => {
		expect(describeStatus({ ...saved, whole: true, missingBytes: 0 })).toEqual({
			text: 'Available offline: the whole guide',
		});
	});

	it('never claims more than the checked files allow', () => {
		expect(describeStatus({ ...saved, core: false }).text).toMatch(/^Partly available offline/);
	});

	it('tells when a new version takes over, and offers to switch when other tabs hold the old one', () => {
		expect(describeStatus({ ...saved, waiting: true })).toEqual({
			text: 'A new version of the guide is saved: it opens on your next page.',
		});
		expect(describeStatus({ ...saved, waiting: true, windows: 2 }).update).toBe('Update now');
	});

	it('marks first-save progress, which the page drops once a worker controls it', () => {
		expect(describeProgress({ done: 48, total: 161 })).toEqual({
			text: 'Saving this page, search and the FAQ for offline use: 48 of 161 files',
			first: true,
		});
	});

	it('keeps saying "Available offline" while a new version downloads', () => {
		expect(describeProgress({ done: 48, total: 121, update: true })).toEqual({
			text: 'Available offline. Downloading the new version: 48 of 121 files',
			first: false,
		});
		expect(describeProgress({ done: 5, total: 513, whole: true }).text).toBe(
			'Saving the whole guide for offline use: 5 of 513 files'
		);
	});

	it('says nothing when an update fails, since the saved copy still works', () => {
		expect(describeFailure({ update: true })).toBeUndefined();
		expect(describeFailure({})?.text).toMatch(/^Could not save for offline use/);
		expect(describeFailure({ whole: true })?.save).toBe('Save the whole guide for offline use');
	});

	it('rounds sizes the way a reader reads them', () => {
		expect(megabytes(5_013_773)).toBe('4.8 MB');
		expect(megabytes(25 * 1024 * 1024)).toBe('25 MB');
		expect(megabytes(10)).toBe('0.1 MB');
	});
});
