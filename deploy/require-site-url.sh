#!/bin/sh
# The production image's build stops here unless it is given the address readers use: canonical
# and Open Graph URLs, the sitemap and llms.txt are made from it, and without it they would all
# point at http://localhost:4321.
case "$1" in
	http://localhost* | https://localhost* | http://127.* | https://127.*)
		echo "SITE_URL is $1, a local address. Build the image with --build-arg SITE_URL=https://<the guide's host> (the address readers use)." >&2
		exit 1
		;;
	http://?* | https://?*) exit 0 ;;
	'')
		echo "SITE_URL is not set. Build the image with --build-arg SITE_URL=https://<the guide's host> (the address readers use); canonical and Open Graph URLs are made from it." >&2
		exit 1
		;;
	*)
		echo "SITE_URL must start with https:// or http:// (got \"$1\"). Build the image with --build-arg SITE_URL=https://<the guide's host>." >&2
		exit 1
		;;
esac
