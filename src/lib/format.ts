/** "22 September 2026": unambiguous for readers in every locale, and stable across build machines. */
export function formatDate(date: Date): string {
	return new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeZone: 'UTC' }).format(date);
}
